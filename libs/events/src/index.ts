export * from './event-bus';
export * from './pg-event-bus';
export * from './events.module';
export * from './event-outbox-message.entity';
export * from './event-outbox.repository';
export * from './redis-event-bus';
export * from './recent-keys';
