import { applyDecorators, UseGuards } from '@nestjs/common';
import { ApiBearerAuth, ApiHeader } from '@nestjs/swagger';
import { ApiErrors } from '@app/common';
import { DEVICE_TYPES } from '@app/contract';
import { RateLimitCountedByRoute } from '@app/rate-limits';
import { AccessTokenGuard, PresentedTokenGuard } from './access-token.guard';

/**
 * A route for a signed-in client: the bearer token together with the device it was issued to (contract §1).
 * Guards the route and documents the headers and the errors that come with them. The guard counts the route's rate
 * limit, if it has one, in the statement that reads the token.
 *
 * With `checkedInStatement`, the route's own statement reads the token and counts the rate limit, and acts only if
 * both let it ({@link CurrentPendingAuth}): the guard makes only the checks that need no database. A request that a pipe
 * then refuses (a malformed body) is answered without reaching the database, and is not counted.
 */
export function DeviceAuth(options: { checkedInStatement?: boolean } = {}): MethodDecorator & ClassDecorator {
  return applyDecorators(
    UseGuards(options.checkedInStatement ? PresentedTokenGuard : AccessTokenGuard),
    RateLimitCountedByRoute(),
    ApiBearerAuth(),
    ApiHeader({ name: 'X-Device-Id', required: true, description: 'The id of the device the token was issued to.' }),
    ApiHeader({
      name: 'X-Device-Type',
      required: false,
      enum: DEVICE_TYPES,
      description: 'If sent, must be the type the token was issued to.',
    }),
    ApiErrors('validation_failed', 'unauthorized', 'token_revoked', 'device_mismatch', 'rate_limited', 'service_unavailable'),
  );
}
