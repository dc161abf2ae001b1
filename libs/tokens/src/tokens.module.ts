import { Module } from '@nestjs/common';
import { JwtModule } from '@nestjs/jwt';
import { AppConfigService } from '@app/config';
import { AccessTokenGuard } from './access-token.guard';
import { TokensRepository } from './tokens.repository';
import { TokensService } from './tokens.service';

@Module({
  imports: [
    JwtModule.registerAsync({
      inject: [AppConfigService],
      useFactory: (config: AppConfigService) => ({ secret: config.jwtSecret }),
    }),
  ],
  providers: [TokensRepository, TokensService, AccessTokenGuard],
  exports: [TokensRepository, TokensService, AccessTokenGuard],
})
export class TokensModule {}
