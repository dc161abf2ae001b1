import { CanActivate, ExecutionContext, Injectable } from '@nestjs/common';
import type { FastifyRequest } from 'fastify';
import { takeRateLimitHit } from '@app/rate-limits';
import type { AuthContext } from './auth-context';
import { TokensService } from './tokens.service';

export type AuthenticatedRequest = FastifyRequest & { auth: AuthContext };

function header(request: FastifyRequest, name: string): string | undefined {
  const value = request.headers[name];
  return Array.isArray(value) ? value[0] : value;
}

/**
 * The one guard of every protected route: bearer token plus the device headers it is bound to. A route under a rate
 * limit is counted by the same statement that reads the token ({@link DeviceAuth} leaves the count to this guard).
 */
@Injectable()
export class AccessTokenGuard implements CanActivate {
  constructor(private readonly tokens: TokensService) {}

  async canActivate(context: ExecutionContext): Promise<boolean> {
    const request = context.switchToHttp().getRequest<AuthenticatedRequest>();
    request.auth = await this.tokens.authenticate(
      {
        authorization: header(request, 'authorization'),
        deviceId: header(request, 'x-device-id'),
        deviceType: header(request, 'x-device-type'),
      },
      takeRateLimitHit(request),
    );
    return true;
  }
}
