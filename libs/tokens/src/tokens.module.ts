import { Module } from '@nestjs/common';
import { JwtModule, type JwtModuleOptions } from '@nestjs/jwt';
import { createSecretKey } from 'node:crypto';
import { AppConfigService } from '@app/config';
import { AccessTokenGuard, PresentedTokenGuard } from './access-token.guard';
import { TokensRepository } from './tokens.repository';
import { TokenRevocations } from './token-revocations';
import { TokensService } from './tokens.service';

/**
 * The HS256 key as a KeyObject made once. Given the secret as a string, jsonwebtoken turns it into a key object on
 * every sign and verify, which cost about 30 times the HMAC itself (measured: sign 506 µs → 10 µs, verify 578 µs → 17 µs).
 */
export function jwtOptionsOf(secret: string): JwtModuleOptions {
  return { secret: createSecretKey(Buffer.from(secret, 'utf8')) };
}

@Module({
  imports: [
    JwtModule.registerAsync({
      inject: [AppConfigService],
      useFactory: (config: AppConfigService) => jwtOptionsOf(config.jwtSecret),
    }),
  ],
  providers: [TokensRepository, TokensService, TokenRevocations, AccessTokenGuard, PresentedTokenGuard],
  exports: [TokensRepository, TokensService, TokenRevocations, AccessTokenGuard, PresentedTokenGuard],
})
export class TokensModule {}
