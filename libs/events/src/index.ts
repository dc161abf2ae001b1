export * from './pg-event-bus';
export * from './events.module';
