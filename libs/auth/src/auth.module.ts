import { Module } from '@nestjs/common';
import { AccountsModule } from '@app/accounts';
import { DevicesModule } from '@app/devices';
import { TokensModule } from '@app/tokens';
import { AuthController } from './auth.controller';
import { AuthService } from './auth.service';

@Module({
  imports: [AccountsModule, DevicesModule, TokensModule],
  controllers: [AuthController],
  providers: [AuthService],
})
export class AuthModule {}
