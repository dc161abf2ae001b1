import type { Namespace, Socket } from 'socket.io';
import { isDatabaseUnavailable } from '../errors/database-errors';
import { DomainError } from '../errors/domain.error';

/** The check could not be made (the database is down or busy): that says nothing about the socket's right to stay. */
function couldNotCheck(error: unknown): boolean {
  return isDatabaseUnavailable(error) || (error instanceof DomainError && error.code === 'service_unavailable');
}

/**
 * Sockets are authenticated once, at the handshake; a token revoked later (logout, device sign-out, admin) or a role
 * taken away must still end the feed. Every `intervalMs` each socket of the namespace is checked again and
 * disconnected when the check refuses it. A check that could not be made (the database unreachable, or every pooled
 * connection busy past its wait) leaves the socket to the next round: dropping every socket at once then would only
 * bring them all back to reconnect, each with a handshake that needs the database too. Answers a function that stops
 * the rechecks.
 */
export function recheckSockets<S extends Socket>(namespace: Namespace, check: (socket: S) => Promise<unknown>, intervalMs: number): () => void {
  const timer = setInterval(() => {
    for (const socket of namespace.sockets.values()) {
      check(socket as S).catch((error: unknown) => {
        if (!couldNotCheck(error)) socket.disconnect(true);
      });
    }
  }, intervalMs);
  timer.unref();
  return () => clearInterval(timer);
}
