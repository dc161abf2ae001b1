import { Module } from '@nestjs/common';
import { QrSessionsModule } from '@app/qr-sessions';
import { QrGateway } from './qr.gateway';

@Module({
  imports: [QrSessionsModule],
  providers: [QrGateway],
})
export class RealtimeModule {}
