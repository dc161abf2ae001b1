export * from './rate-limit-counter.entity';
export * from './login-failure-counter.entity';
export * from './rate-limit.policies';
export * from './rate-limiter';
export * from './rate-limit.guard';
export * from './left-hits';
export * from './rate-limits.module';
export * from './login-lockout';
export { countedCte, countingSql, counterStateOf, type CounterRow, type CounterState } from './rate-limit-counters.repository';
