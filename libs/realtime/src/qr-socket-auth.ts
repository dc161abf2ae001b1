import { DomainError, PUBLIC_ID_PATTERN } from '@app/common';
import type { QrSocketAuth } from '@app/contract';

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
