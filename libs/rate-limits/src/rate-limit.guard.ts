import { CanActivate, ExecutionContext, Injectable, SetMetadata } from '@nestjs/common';
import { Reflector } from '@nestjs/core';
import type { FastifyRequest } from 'fastify';
import { clientInfoOf } from '@app/common';
import type { RateLimitName } from './rate-limit.policies';
import { RateLimiter } from './rate-limiter';

const RATE_LIMIT_KEY = 'qr-login:rate-limit';

/** Puts a route under a named policy of {@link RATE_LIMIT_POLICIES}. */
export const RateLimit = (name: RateLimitName) => SetMetadata(RATE_LIMIT_KEY, name);

/** Global guard: counts requests of routes marked with {@link RateLimit}; others pass untouched. */
@Injectable()
export class RateLimitGuard implements CanActivate {
  constructor(
    private readonly reflector: Reflector,
    private readonly limiter: RateLimiter,
  ) {}

  async canActivate(context: ExecutionContext): Promise<boolean> {
    const name = this.reflector.getAllAndOverride<RateLimitName | undefined>(RATE_LIMIT_KEY, [context.getHandler(), context.getClass()]);
    if (!name || context.getType() !== 'http') return true;
    const request = context.switchToHttp().getRequest<FastifyRequest>();
    await this.limiter.consume(name, clientInfoOf(request).ip);
    return true;
  }
}
