import { CanActivate, ExecutionContext, Injectable } from '@nestjs/common';
import type { FastifyRequest } from 'fastify';
import { takeRateLimitHit } from '@app/rate-limits';
import type { AuthContext, PendingAuth } from './auth-context';
import { TokensService, type PresentedHeaders } from './tokens.service';

export type AuthenticatedRequest = FastifyRequest & { auth: AuthContext };
export type PendingAuthRequest = FastifyRequest & { pendingAuth: PendingAuth };

function header(request: FastifyRequest, name: string): string | undefined {
  const value = request.headers[name];
  return Array.isArray(value) ? value[0] : value;
}

function presentedHeaders(request: FastifyRequest): PresentedHeaders {
  return {
    authorization: header(request, 'authorization'),
    deviceId: header(request, 'x-device-id'),
    deviceType: header(request, 'x-device-type'),
  };
}

/**
 * The guard of protected routes: bearer token plus the device headers it is bound to. A route under a rate limit is
 * counted by the same statement that reads the token ({@link DeviceAuth} leaves the count to this guard).
 */
@Injectable()
export class AccessTokenGuard implements CanActivate {
  constructor(private readonly tokens: TokensService) {}

  async canActivate(context: ExecutionContext): Promise<boolean> {
    const request = context.switchToHttp().getRequest<AuthenticatedRequest>();
    request.auth = await this.tokens.authenticate(presentedHeaders(request), takeRateLimitHit(request));
    return true;
  }
}

/**
 * The guard of a route whose own statement reads the token and counts the rate limit (`DeviceAuth({ checkedInStatement:
 * true })`): it makes the checks that need no database and leaves the rest to the route ({@link CurrentPendingAuth}).
 */
@Injectable()
export class PresentedTokenGuard implements CanActivate {
  constructor(private readonly tokens: TokensService) {}

  async canActivate(context: ExecutionContext): Promise<boolean> {
    const request = context.switchToHttp().getRequest<PendingAuthRequest>();
    request.pendingAuth = await this.tokens.present(presentedHeaders(request), takeRateLimitHit(request));
    return true;
  }
}
