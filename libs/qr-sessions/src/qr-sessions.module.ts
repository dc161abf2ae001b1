import { Module } from '@nestjs/common';
import { DevicesModule } from '@app/devices';
import { SignInAlertsModule } from '@app/sign-in-alerts';
import { TokensModule } from '@app/tokens';
import { QrExpiryScheduler } from './qr-expiry.scheduler';
import { QrImages } from './qr-images';
import { QrLandingController } from './qr-landing.controller';
import { QrLongPoll } from './qr-long-poll';
import { QrRetentionJob } from './qr-retention.job';
import { QrSessionChanges } from './qr-session-changes';
import { QrSessionWaiters } from './qr-session-waiters';
import { QrSessionsController } from './qr-sessions.controller';
import { QrSessionsRepository } from './qr-sessions.repository';
import { QrSessionsService } from './qr-sessions.service';
import { QrSnapshots } from './qr-snapshots';

@Module({
  imports: [DevicesModule, TokensModule, SignInAlertsModule],
  controllers: [QrSessionsController, QrLandingController],
  providers: [
    QrSessionsRepository,
    QrSessionsService,
    QrSnapshots,
    QrSessionChanges,
    QrSessionWaiters,
    QrLongPoll,
    QrExpiryScheduler,
    QrRetentionJob,
    QrImages,
  ],
  exports: [QrSessionsService, QrSessionChanges, QrSnapshots],
})
export class QrSessionsModule {}
