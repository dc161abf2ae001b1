import { applyDecorators, UseGuards } from '@nestjs/common';
import { ApiBearerAuth, ApiHeader } from '@nestjs/swagger';
import { ApiErrors } from '@app/common';
import { RateLimitCountedByRoute } from '@app/rate-limits';
import { AccessTokenGuard } from './access-token.guard';

/**
 * A route for a signed-in client: the bearer token together with the device it was issued to (contract §1).
 * Guards the route and documents the headers and the errors that come with them. The guard counts the route's rate
 * limit, if it has one, in the statement that reads the token.
 */
export function DeviceAuth(): MethodDecorator & ClassDecorator {
  return applyDecorators(
    UseGuards(AccessTokenGuard),
    RateLimitCountedByRoute(),
    ApiBearerAuth(),
    ApiHeader({ name: 'X-Device-Id', required: true, description: 'The id of the device the token was issued to.' }),
    ApiHeader({ name: 'X-Device-Type', required: false, description: 'If sent, must be the type the token was issued to.' }),
    ApiErrors('validation_failed', 'unauthorized', 'token_revoked', 'device_mismatch', 'rate_limited', 'service_unavailable'),
  );
}
