import type { RateLimitHit } from './rate-limiter';

/**
 * Hits left uncounted by the rate limit's gate for the work that counts them in its own statement, by what carries
 * them: an HTTP request ({@link RateLimitCountedByRoute}) or a socket's handshake ({@link countHandshakesIn}).
 */
const leftHits = new WeakMap<object, RateLimitHit>();

/** For a gate (the global guard, the socket server): leaves `holder`'s hit for its own work to count. */
export function leaveRateLimitHit(holder: object, hit: RateLimitHit): void {
  leftHits.set(holder, hit);
}

/**
 * Takes the hit left for this request or socket, if any (none when limits are off). Taken once: whoever takes it
 * counts it, and a second taker gets none, so nothing is counted twice.
 */
export function takeRateLimitHit(holder: object): RateLimitHit | undefined {
  const hit = leftHits.get(holder);
  leftHits.delete(holder);
  return hit;
}

/** Socket.IO namespaces that count their handshakes' `socketHandshake` hits themselves. */
const countingNamespaces = new WeakSet<object>();

/**
 * Says that `namespace`'s handshake counts its rate limit itself, in the statement that does its own work (the
 * socket's first read), as {@link RateLimitCountedByRoute} says of an HTTP route: the socket server then leaves each
 * handshake's hit on its socket ({@link takeRateLimitHit}) instead of counting it in a statement of its own. The
 * namespace must count it on every path, a handshake it refuses before its statement included.
 */
export function countHandshakesIn(namespace: object): void {
  countingNamespaces.add(namespace);
}

/** For the socket server: whether `namespace` counts its handshakes itself. */
export function countsItsHandshakes(namespace: object): boolean {
  return countingNamespaces.has(namespace);
}
