/**
 * How much each kind of caller may do, per client IP, in one window. Generous for people, tight for scripts:
 * password guessing, QR flooding, id guessing and long-poll floods all hit these (threat 8).
 */
export interface RateLimitPolicy {
  /** Requests allowed per window. */
  limit: number;
  windowSeconds: number;
  /** Also count per signed-in account (typing user codes): guessing from many addresses with one account is limited too. */
  perAccount?: { limit: number };
}

export const RATE_LIMIT_POLICIES = {
  register: { limit: 20, windowSeconds: 3600 },
  // Flood control per address only: guessing one account's password is slowed by LoginLockout, which counts failures
  // (per account and address, and per account), never attempts, so nobody can lock an owner out.
  login: { limit: 30, windowSeconds: 60 },
  createQr: { limit: 30, windowSeconds: 60 },
  watchQr: { limit: 240, windowSeconds: 60 },
  phoneAction: { limit: 60, windowSeconds: 60 },
  // A user code has ~34 bits and lives QR_TTL_SECONDS: a person mistypes a few times, a guesser needs billions of tries.
  scanCode: { limit: 20, windowSeconds: 300, perAccount: { limit: 10 } },
  socketHandshake: { limit: 60, windowSeconds: 60 },
} as const satisfies Record<string, RateLimitPolicy>;

export type RateLimitName = keyof typeof RATE_LIMIT_POLICIES;

/**
 * TCP connections one client address may hold open at once, per process, when clients reach it directly
 * (TRUST_PROXY off; behind a proxy every connection is the proxy's, and the proxy caps them: deploy/nginx.conf).
 * Room for a whole office behind one address: a browser holds about 6 per site, a desktop page one more for its socket.
 */
export const CONNECTIONS_PER_ADDRESS = 256;

/**
 * Open Socket.IO connections one client may hold at once (on every namespace together), counted per process. Idle
 * sockets cost memory and a descriptor each; a desktop page or an admin tab holds one.
 */
export const SOCKET_CAPS = {
  /** Engine.IO connections per client address (an IPv6 client by its /64). */
  perAddress: 64,
  /** Sockets authenticated with one access token (/account, /admin). */
  perToken: 10,
  /**
   * Sockets on one Engine.IO connection, on every namespace together: a page needs one per namespace it watches. Without
   * it, CONNECT packets sent together on one connection each got a socket, as many as the handshake rate allowed.
   */
  perConnection: 8,
} as const;
