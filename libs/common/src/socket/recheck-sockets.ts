import type { Namespace, Socket } from 'socket.io';

/**
 * Sockets are authenticated once, at the handshake; a token revoked later (logout, device sign-out, admin) or a role
 * taken away must still end the feed. Every `intervalMs` each socket of the namespace is checked again and
 * disconnected when the check fails. Answers a function that stops the rechecks.
 */
export function recheckSockets<S extends Socket>(namespace: Namespace, check: (socket: S) => Promise<unknown>, intervalMs: number): () => void {
  const timer = setInterval(() => {
    for (const socket of namespace.sockets.values()) {
      check(socket as S).catch(() => socket.disconnect(true));
    }
  }, intervalMs);
  timer.unref();
  return () => clearInterval(timer);
}
