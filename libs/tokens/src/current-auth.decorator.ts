import { createParamDecorator, ExecutionContext } from '@nestjs/common';
import type { AuthenticatedRequest, PendingAuthRequest } from './access-token.guard';

/** The caller's {@link AuthContext}; only on routes behind {@link AccessTokenGuard}. */
export const CurrentAuth = createParamDecorator((_: unknown, ctx: ExecutionContext) => ctx.switchToHttp().getRequest<AuthenticatedRequest>().auth);

/**
 * The caller's {@link PendingAuth}, for the route's statement to check and count; only on routes behind
 * {@link PresentedTokenGuard} (`DeviceAuth({ checkedInStatement: true })`).
 */
export const CurrentPendingAuth = createParamDecorator(
  (_: unknown, ctx: ExecutionContext) => ctx.switchToHttp().getRequest<PendingAuthRequest>().pendingAuth,
);
