import { DomainError, isDatabaseUnavailable, PUBLIC_ID_PATTERN } from '@app/common';
import type { ErrorCode, QrSocketAuth } from '@app/contract';

const MAX_SECRET_LENGTH = 256;

/** Reads `auth: {qrId, secret}` from a handshake, refusing anything else with `validation_failed`. */
export function parseQrSocketAuth(auth: unknown): QrSocketAuth {
  const candidate = (auth ?? {}) as Partial<Record<keyof QrSocketAuth, unknown>>;
  if (typeof candidate.qrId !== 'string' || !PUBLIC_ID_PATTERN.test(candidate.qrId)) {
    throw new DomainError('validation_failed', 'auth.qrId must be a QR session id');
  }
  if (typeof candidate.secret !== 'string' || candidate.secret.length === 0 || candidate.secret.length > MAX_SECRET_LENGTH) {
    throw new DomainError('qr_secret_invalid', 'auth.secret is missing or malformed');
  }
  return { qrId: candidate.qrId, secret: candidate.secret };
}

/**
 * The error a refused handshake answers: the client's `connect_error` has the contract code as its `message`, and
 * `data` carries the same `{code, message}` as an HTTP error body.
 */
export function handshakeError(error: unknown): Error & { data: { code: ErrorCode; message: string } } {
  const code: ErrorCode =
    error instanceof DomainError ? error.code : isDatabaseUnavailable(error) ? 'service_unavailable' : 'internal_error';
  const message = error instanceof DomainError ? error.message : 'The handshake could not be completed; retry later.';
  return Object.assign(new Error(code), { data: { code, message } });
}
