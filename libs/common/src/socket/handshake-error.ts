import { Logger } from '@nestjs/common';
import type { ErrorCode } from '@app/contract';
import { DomainError } from '../errors/domain.error';
import { isDatabaseUnavailable } from '../errors/database-errors';

const logger = new Logger('SocketHandshake');

/**
 * The error a refused Socket.IO handshake answers: the client's `connect_error` has the contract code as its `message`,
 * and `data` carries the same `{code, message}` as an HTTP error body. Unknown causes are not described to the client.
 */
export function handshakeError(error: unknown): Error & { data: { code: ErrorCode; message: string } } {
  const code: ErrorCode = error instanceof DomainError ? error.code : isDatabaseUnavailable(error) ? 'service_unavailable' : 'internal_error';
  if (code === 'internal_error') logger.error('socket handshake failed', error instanceof Error ? error.stack : String(error));
  const message = error instanceof DomainError ? error.message : 'The handshake could not be completed; retry later.';
  return Object.assign(new Error(code), { data: { code, message } });
}
