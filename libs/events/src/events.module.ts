import { Global, Module } from '@nestjs/common';
import { AppConfigService } from '@app/config';
import { EventBus } from './event-bus';
import { PgEventBus } from './pg-event-bus';

/** One event bus per process, shared by every module that publishes or listens. */
@Global()
@Module({
  providers: [{ provide: EventBus, inject: [AppConfigService], useFactory: (config: AppConfigService) => new PgEventBus(config) }],
  exports: [EventBus],
})
export class EventsModule {}
