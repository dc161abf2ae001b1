import { Body, Controller, Get, Header, HttpCode, Post } from '@nestjs/common';
import { ApiNoContentResponse, ApiOkResponse, ApiOperation, ApiTags } from '@nestjs/swagger';
import { ApiErrors, Client, type ClientInfo } from '@app/common';
import type { AccountView, DeviceView, LoginResult } from '@app/contract';
import { RateLimit } from '@app/rate-limits';
import { CurrentAuth, DeviceAuth, LoginResultResponse, MeResponse, type AuthContext } from '@app/tokens';
import { AuthService } from './auth.service';
import { LoginDto } from './dto/login.dto';

@ApiTags('auth')
@Controller()
export class AuthController {
  constructor(private readonly auth: AuthService) {}

  @Post('auth/login')
  @HttpCode(200)
  @RateLimit('login')
  // It carries an access token: no cache may keep it.
  @Header('Cache-Control', 'no-store')
  @ApiOperation({ summary: 'Sign in with a password; the token is bound to the device' })
  @ApiOkResponse({ type: LoginResultResponse })
  @ApiErrors('validation_failed', 'invalid_credentials', 'device_mismatch', 'payload_too_large', 'rate_limited', 'service_unavailable')
  login(@Body() dto: LoginDto, @Client() client: ClientInfo): Promise<LoginResult> {
    return this.auth.login(dto.username, dto.password, dto.device, client);
  }

  @Post('auth/logout')
  @HttpCode(204)
  @DeviceAuth()
  @ApiOperation({ summary: 'Sign out: this token answers token_revoked from now on' })
  @ApiNoContentResponse()
  async logout(@CurrentAuth() auth: AuthContext): Promise<void> {
    await this.auth.logout(auth);
  }

  @Get('me')
  @DeviceAuth()
  @ApiOperation({ summary: 'The signed-in account and device' })
  @ApiOkResponse({ type: MeResponse })
  me(@CurrentAuth() auth: AuthContext): Promise<{ account: AccountView; device: DeviceView }> {
    return this.auth.me(auth);
  }
}
