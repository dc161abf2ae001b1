import { Global, Module } from '@nestjs/common';
import { APP_GUARD } from '@nestjs/core';
import { RateLimitGuard } from './rate-limit.guard';
import { LoginFailureCountersRepository } from './login-failure-counters.repository';
import { LoginLockout } from './login-lockout';
import { RateLimitCountersRepository } from './rate-limit-counters.repository';
import { RateLimiter } from './rate-limiter';

@Global()
@Module({
  providers: [
    RateLimiter,
    RateLimitCountersRepository,
    LoginFailureCountersRepository,
    LoginLockout,
    { provide: APP_GUARD, useClass: RateLimitGuard },
  ],
  exports: [RateLimiter, LoginLockout],
})
export class RateLimitsModule {}
