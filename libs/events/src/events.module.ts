import { Global, Module } from '@nestjs/common';
import { PgEventBus } from './pg-event-bus';

/** One listening connection per process, shared by every module that publishes or listens. */
@Global()
@Module({
  providers: [PgEventBus],
  exports: [PgEventBus],
})
export class EventsModule {}
