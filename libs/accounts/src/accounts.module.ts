import { Module } from '@nestjs/common';
import { AccountsController } from './accounts.controller';
import { AccountsRepository } from './accounts.repository';
import { AccountsService } from './accounts.service';
import { PasswordStrength } from './password-strength';

@Module({
  controllers: [AccountsController],
  providers: [AccountsRepository, AccountsService, PasswordStrength],
  exports: [AccountsService, AccountsRepository],
})
export class AccountsModule {}
