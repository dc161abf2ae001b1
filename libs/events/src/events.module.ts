import { Global, Module } from '@nestjs/common';
import { DataSource } from 'typeorm';
import { AppConfigService } from '@app/config';
import { EventBus } from './event-bus';
import { EventOutboxRepository } from './event-outbox.repository';
import { PgEventBus } from './pg-event-bus';
import { RedisEventBus } from './redis-event-bus';

/**
 * One event bus per process, shared by every module that publishes or listens: Redis when `REDIS_URL` is set,
 * otherwise PostgreSQL's LISTEN/NOTIFY on the database the service already has.
 */
@Global()
@Module({
  providers: [
    EventOutboxRepository,
    {
      provide: EventBus,
      inject: [AppConfigService, DataSource, EventOutboxRepository],
      useFactory: (config: AppConfigService, dataSource: DataSource, outbox: EventOutboxRepository): EventBus =>
        config.redisUrl ? new RedisEventBus(config.redisUrl, dataSource, outbox) : new PgEventBus(config),
    },
  ],
  exports: [EventBus],
})
export class EventsModule {}
