import { CanActivate, ExecutionContext, Injectable } from '@nestjs/common';
import { Reflector } from '@nestjs/core';
import type { FastifyRequest } from 'fastify';
import { clientInfoOf } from '@app/common';
import { RateLimiter, rateLimitCountedByRouteGuard, rateLimitOf } from '@app/rate-limits';
import type { AuthContext } from './auth-context';
import { TokensService } from './tokens.service';

export type AuthenticatedRequest = FastifyRequest & { auth: AuthContext };

function header(request: FastifyRequest, name: string): string | undefined {
  const value = request.headers[name];
  return Array.isArray(value) ? value[0] : value;
}

/**
 * The one guard of every protected route: bearer token plus the device headers it is bound to. A route under a rate
 * limit is counted by the same statement that reads the token ({@link DeviceAuth} tells the global rate-limit guard).
 */
@Injectable()
export class AccessTokenGuard implements CanActivate {
  constructor(
    private readonly tokens: TokensService,
    private readonly reflector: Reflector,
    private readonly limiter: RateLimiter,
  ) {}

  async canActivate(context: ExecutionContext): Promise<boolean> {
    const request = context.switchToHttp().getRequest<AuthenticatedRequest>();
    // Only where the global rate-limit guard left the count to this one (DeviceAuth), so that no route counts twice.
    const limit = rateLimitCountedByRouteGuard(this.reflector, context) ? rateLimitOf(this.reflector, context) : undefined;
    request.auth = await this.tokens.authenticate(
      {
        authorization: header(request, 'authorization'),
        deviceId: header(request, 'x-device-id'),
        deviceType: header(request, 'x-device-type'),
      },
      limit ? this.limiter.hitFor(limit, clientInfoOf(request).ip) : undefined,
    );
    return true;
  }
}
