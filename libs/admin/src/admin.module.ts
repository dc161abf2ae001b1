import { Module } from '@nestjs/common';
import { AccountsModule } from '@app/accounts';
import { DevicesModule } from '@app/devices';
import { QrSessionsModule } from '@app/qr-sessions';
import { TokensModule } from '@app/tokens';
import { AdminAccountBootstrap } from './admin-account.bootstrap';
import { AdminQrSessionsRepository } from './admin-qr-sessions.repository';
import { AdminController } from './admin.controller';
import { AdminGateway } from './admin.gateway';
import { AdminGuard } from './admin.guard';
import { AdminService } from './admin.service';
import { LiveStatsAggregator } from './live-stats.aggregator';

@Module({
  imports: [AccountsModule, DevicesModule, TokensModule, QrSessionsModule],
  controllers: [AdminController],
  providers: [AdminQrSessionsRepository, AdminService, AdminGuard, AdminGateway, AdminAccountBootstrap, LiveStatsAggregator],
})
export class AdminModule {}
