import { CanActivate, createParamDecorator, ExecutionContext, Injectable, SetMetadata } from '@nestjs/common';
import { Reflector } from '@nestjs/core';
import type { FastifyRequest } from 'fastify';
import { clientInfoOf, OriginPolicy } from '@app/common';
import { AppConfigService } from '@app/config';
import type { RateLimitName } from './rate-limit.policies';
import { leaveRateLimitHit, takeRateLimitHit } from './left-hits';
import { RateLimiter, type RateLimitHit } from './rate-limiter';

const RATE_LIMIT_KEY = 'qr-login:rate-limit';
const COUNTED_BY_ROUTE_KEY = 'qr-login:rate-limit-counted-by-route';

/** Puts a route under a named policy of {@link RATE_LIMIT_POLICIES}. */
export const RateLimit = (name: RateLimitName) => SetMetadata(RATE_LIMIT_KEY, name);

/**
 * Says that the route counts its rate limit itself, in a statement that does its own work too: the global guard then
 * leaves the request's hit for it ({@link takeRateLimitHit}) instead of counting it in a statement of its own. The route
 * must count it on every path that reaches the database; a request that a pipe refuses (a malformed id or query) is
 * answered without reaching it, and is not counted.
 */
export const RateLimitCountedByRoute = () => SetMetadata(COUNTED_BY_ROUTE_KEY, true);

/** A handler's parameter: the request's hit, taken ({@link takeRateLimitHit}). */
export const LeftRateLimitHit = createParamDecorator((_: unknown, ctx: ExecutionContext): RateLimitHit | undefined =>
  takeRateLimitHit(ctx.switchToHttp().getRequest<FastifyRequest>()),
);

/** Global guard: counts requests of routes marked with {@link RateLimit}; others pass untouched. */
@Injectable()
export class RateLimitGuard implements CanActivate {
  private readonly origins: OriginPolicy;

  constructor(
    private readonly reflector: Reflector,
    private readonly limiter: RateLimiter,
    config: AppConfigService,
  ) {
    this.origins = new OriginPolicy(config);
  }

  async canActivate(context: ExecutionContext): Promise<boolean> {
    const targets = [context.getHandler(), context.getClass()];
    const name = this.reflector.getAllAndOverride<RateLimitName | undefined>(RATE_LIMIT_KEY, targets);
    if (!name || context.getType() !== 'http') return true;
    const request = context.switchToHttp().getRequest<FastifyRequest>();
    const hit = this.limiter.hitFor(name, clientInfoOf(request).ip, this.origins.isForeignPage(request));
    if (!hit) return true;
    if (this.reflector.getAllAndOverride<boolean | undefined>(COUNTED_BY_ROUTE_KEY, targets)) leaveRateLimitHit(request, hit);
    else await hit.countAlone();
    return true;
  }
}
