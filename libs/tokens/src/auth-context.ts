import type { DeviceType } from '@app/contract';
import type { RateLimitHit } from '@app/rate-limits';

/**
 * A request's token once everything that needs no database holds: its signature, algorithm and expiry, its claims, and
 * the device headers it is bound to. Whether it still stands (it exists and was not revoked) is read from its row.
 */
export interface PresentedToken {
  tokenId: string;
  accountId: string;
  /** The id the client chose and sent as `X-Device-Id`. */
  clientDeviceId: string;
  deviceType: DeviceType;
}

/** Who is calling, once the access-token guard has let a request through: a token that stands, and its device's row. */
export interface AuthContext extends PresentedToken {
  /** The internal row id of the device. */
  deviceRowId: string;
}

/**
 * A presented token and the request's rate-limit hit, left by the guard for the statement that does the request's
 * work to check and count (one round trip for all three). That statement acts only if the token stands and the hit is
 * within its limit; if it did not act, {@link TokensService.explainRefusal} says whether either was the reason.
 */
export interface PendingAuth {
  token: PresentedToken;
  hit?: RateLimitHit;
}

/** The claims of our access tokens. `did`/`dty` bind the token to one device (contract §1). */
export interface AccessTokenClaims {
  sub: string;
  jti: string;
  did: string;
  dty: DeviceType;
  iat: number;
  exp: number;
}
