import type { RateLimitHit } from './rate-limiter';

/** Socket.IO namespaces that count their handshakes' `socketHandshake` hits themselves ({@link countHandshakesIn}). */
const countingNamespaces = new WeakSet<object>();
/** The hits the socket server left for those namespaces to count, by socket. */
const leftHits = new WeakMap<object, RateLimitHit>();

/**
 * Says that `namespace`'s handshake counts its rate limit itself, in the statement that does its own work (the
 * socket's first read), as {@link RateLimitCountedByRoute} says of an HTTP route: the socket server then leaves each
 * handshake's hit for it ({@link takeHandshakeHit}) instead of counting it in a statement of its own. The namespace
 * must count it on every path, a handshake it refuses before its statement included.
 */
export function countHandshakesIn(namespace: object): void {
  countingNamespaces.add(namespace);
}

/** For the socket server: whether `namespace` counts its handshakes itself. */
export function countsItsHandshakes(namespace: object): boolean {
  return countingNamespaces.has(namespace);
}

/** For the socket server: leaves `socket`'s hit for its namespace's own handshake to count. */
export function leaveHandshakeHit(socket: object, hit: RateLimitHit): void {
  leftHits.set(socket, hit);
}

/** Takes the hit left for this socket's handshake, if any (none when limits are off); taken once, so counted once. */
export function takeHandshakeHit(socket: object): RateLimitHit | undefined {
  const hit = leftHits.get(socket);
  leftHits.delete(socket);
  return hit;
}
