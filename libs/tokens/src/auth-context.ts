import type { DeviceType } from '@app/contract';

/** Who is calling, once the access-token guard has let a request through. */
export interface AuthContext {
  tokenId: string;
  accountId: string;
  /** The internal row id of the device. */
  deviceRowId: string;
  /** The id the client chose and sent as `X-Device-Id`. */
  clientDeviceId: string;
  deviceType: DeviceType;
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
