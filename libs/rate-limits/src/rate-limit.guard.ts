import { CanActivate, ExecutionContext, Injectable, SetMetadata } from '@nestjs/common';
import { Reflector } from '@nestjs/core';
import type { FastifyRequest } from 'fastify';
import { clientInfoOf } from '@app/common';
import type { RateLimitName } from './rate-limit.policies';
import { RateLimiter } from './rate-limiter';

const RATE_LIMIT_KEY = 'qr-login:rate-limit';
const COUNTED_BY_ROUTE_GUARD_KEY = 'qr-login:rate-limit-counted-by-route-guard';

/** Puts a route under a named policy of {@link RATE_LIMIT_POLICIES}. */
export const RateLimit = (name: RateLimitName) => SetMetadata(RATE_LIMIT_KEY, name);

/**
 * Says that a guard of the route counts its rate limit itself, in a statement that does the guard's own work too
 * ({@link RateLimiter.hitFor}: the access-token guard's token check). The global guard then leaves it alone.
 */
export const RateLimitCountedByRouteGuard = () => SetMetadata(COUNTED_BY_ROUTE_GUARD_KEY, true);

/** Whether a guard of the route counts its rate limit itself ({@link RateLimitCountedByRouteGuard}). */
export function rateLimitCountedByRouteGuard(reflector: Reflector, context: ExecutionContext): boolean {
  return reflector.getAllAndOverride<boolean | undefined>(COUNTED_BY_ROUTE_GUARD_KEY, [context.getHandler(), context.getClass()]) === true;
}

/** The policy a route is under, if any. */
export function rateLimitOf(reflector: Reflector, context: ExecutionContext): RateLimitName | undefined {
  return reflector.getAllAndOverride<RateLimitName | undefined>(RATE_LIMIT_KEY, [context.getHandler(), context.getClass()]);
}

/** Global guard: counts requests of routes marked with {@link RateLimit}; others pass untouched. */
@Injectable()
export class RateLimitGuard implements CanActivate {
  constructor(
    private readonly reflector: Reflector,
    private readonly limiter: RateLimiter,
  ) {}

  async canActivate(context: ExecutionContext): Promise<boolean> {
    const name = rateLimitOf(this.reflector, context);
    if (!name || context.getType() !== 'http') return true;
    if (rateLimitCountedByRouteGuard(this.reflector, context)) return true;
    const request = context.switchToHttp().getRequest<FastifyRequest>();
    await this.limiter.consume(name, clientInfoOf(request).ip);
    return true;
  }
}
