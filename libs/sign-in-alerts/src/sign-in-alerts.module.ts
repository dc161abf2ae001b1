import { Module } from '@nestjs/common';
import { TokensModule } from '@app/tokens';
import { AccountGateway } from './account.gateway';
import { SignInAlerts } from './sign-in-alerts';

@Module({
  imports: [TokensModule],
  providers: [SignInAlerts, AccountGateway],
  exports: [SignInAlerts],
})
export class SignInAlertsModule {}
