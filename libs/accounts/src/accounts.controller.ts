import { Body, Controller, HttpCode, Post } from '@nestjs/common';
import { ApiCreatedResponse, ApiOperation, ApiTags } from '@nestjs/swagger';
import { ApiErrors } from '@app/common';
import { RateLimit } from '@app/rate-limits';
import { RegisteredAccountResponse } from './dto/registered-account.response';
import type { AccountView } from '@app/contract';
import { AccountsService, toAccountView } from './accounts.service';
import { CreateAccountDto } from './dto/create-account.dto';

@ApiTags('accounts')
@Controller('accounts')
export class AccountsController {
  constructor(private readonly accounts: AccountsService) {}

  /** Registration: `201 {accountId, username, displayName}`. */
  @Post()
  @HttpCode(201)
  @RateLimit('register')
  @ApiOperation({ summary: 'Register an account' })
  @ApiCreatedResponse({ type: RegisteredAccountResponse })
  @ApiErrors('validation_failed', 'username_taken', 'payload_too_large', 'rate_limited', 'service_unavailable')
  async register(@Body() dto: CreateAccountDto): Promise<{ accountId: string } & Omit<AccountView, 'id'>> {
    const { id, ...rest } = toAccountView(await this.accounts.register(dto));
    return { accountId: id, ...rest };
  }
}
