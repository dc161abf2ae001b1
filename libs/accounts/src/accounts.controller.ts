import { Body, Controller, HttpCode, Post } from '@nestjs/common';
import { RateLimit } from '@app/rate-limits';
import type { AccountView } from '@app/contract';
import { AccountsService, toAccountView } from './accounts.service';
import { CreateAccountDto } from './dto/create-account.dto';

@Controller('accounts')
export class AccountsController {
  constructor(private readonly accounts: AccountsService) {}

  /** Registration: `201 {accountId, username, displayName}`. */
  @Post()
  @HttpCode(201)
  @RateLimit('register')
  async register(@Body() dto: CreateAccountDto): Promise<{ accountId: string } & Omit<AccountView, 'id'>> {
    const { id, ...rest } = toAccountView(await this.accounts.register(dto));
    return { accountId: id, ...rest };
  }
}
