import type { ErrorCode } from '@app/contract';

/**
 * A failure the domain knows how to name. It carries a contract error code and a human message and knows nothing
 * of HTTP or sockets: the REST filter and the socket middleware translate it.
 */
export class DomainError extends Error {
  constructor(
    readonly code: ErrorCode,
    message: string,
    /** For `rate_limited`: when the client may come back (the `Retry-After` header). */
    readonly retryAfterSeconds?: number,
  ) {
    super(message);
    this.name = 'DomainError';
  }
}
