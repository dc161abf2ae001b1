import { Body, Controller, Get, HttpCode, Post, UseGuards } from '@nestjs/common';
import type { AccountView, DeviceView, LoginResult } from '@app/contract';
import { RateLimit } from '@app/rate-limits';
import { AccessTokenGuard, CurrentAuth, type AuthContext } from '@app/tokens';
import { AuthService } from './auth.service';
import { LoginDto } from './dto/login.dto';

@Controller()
export class AuthController {
  constructor(private readonly auth: AuthService) {}

  @Post('auth/login')
  @HttpCode(200)
  @RateLimit('login')
  login(@Body() dto: LoginDto): Promise<LoginResult> {
    return this.auth.login(dto.username, dto.password, dto.device);
  }

  @Post('auth/logout')
  @HttpCode(204)
  @UseGuards(AccessTokenGuard)
  async logout(@CurrentAuth() auth: AuthContext): Promise<void> {
    await this.auth.logout(auth);
  }

  @Get('me')
  @UseGuards(AccessTokenGuard)
  me(@CurrentAuth() auth: AuthContext): Promise<{ account: AccountView; device: DeviceView }> {
    return this.auth.me(auth);
  }
}
