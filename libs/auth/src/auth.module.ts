import { Module } from '@nestjs/common';
import { AccountsModule } from '@app/accounts';
import { DevicesModule } from '@app/devices';
import { SignInAlertsModule } from '@app/sign-in-alerts';
import { TokensModule } from '@app/tokens';
import { AuthController } from './auth.controller';
import { AuthService } from './auth.service';

@Module({
  imports: [AccountsModule, DevicesModule, TokensModule, SignInAlertsModule],
  controllers: [AuthController],
  providers: [AuthService],
})
export class AuthModule {}
