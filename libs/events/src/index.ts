export * from './event-bus';
export * from './pg-event-bus';
export * from './events.module';
