import { DynamicModule, Module } from '@nestjs/common';
import { AccountsModule } from '@app/accounts';
import { AdminModule } from '@app/admin';
import { AuthModule } from '@app/auth';
import { AppConfigService, ConfigModule } from '@app/config';
import { DatabaseModule } from '@app/database';
import { DeviceGrantModule } from '@app/device-grant';
import { DevicesModule } from '@app/devices';
import { EventsModule } from '@app/events';
import { HealthModule } from '@app/health';
import { LifecycleModule } from '@app/lifecycle';
import { MetricsModule } from '@app/metrics';
import { QrSessionsModule } from '@app/qr-sessions';
import { RateLimitsModule } from '@app/rate-limits';
import { RealtimeModule } from '@app/realtime';
import { TokensModule } from '@app/tokens';
import { ENTITIES } from './entities';

/** The composition root: which modules make up the API. Each module's behaviour lives in its library. */
@Module({})
export class AppModule {
  static forRoot(config: AppConfigService): DynamicModule {
    return {
      module: AppModule,
      imports: [
        ConfigModule.forRoot(config),
        DatabaseModule.forRoot(ENTITIES),
        LifecycleModule,
        MetricsModule,
        EventsModule,
        RateLimitsModule,
        AccountsModule,
        TokensModule,
        DevicesModule,
        AuthModule,
        QrSessionsModule,
        RealtimeModule,
        DeviceGrantModule,
        AdminModule,
        HealthModule,
      ],
    };
  }
}
