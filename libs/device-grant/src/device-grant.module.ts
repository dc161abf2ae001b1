import { Module } from '@nestjs/common';
import { QrSessionsModule } from '@app/qr-sessions';
import { TokensModule } from '@app/tokens';
import { DeviceAuthorizationsRepository } from './device-authorizations.repository';
import { DeviceGrantService } from './device-grant.service';
import { OAuthController } from './oauth.controller';
import { ScanCodeController } from './scan-code.controller';

/** The OAuth 2.0 Device Authorization Grant (RFC 8628) on QR sessions. */
@Module({
  imports: [QrSessionsModule, TokensModule],
  controllers: [OAuthController, ScanCodeController],
  providers: [DeviceGrantService, DeviceAuthorizationsRepository],
  exports: [DeviceGrantService],
})
export class DeviceGrantModule {}
