import { DomainError } from '@app/common';
import type { SessionCursor } from './admin-qr-sessions.repository';

/** The creation time as the repository writes it, e.g. `2026-11-25T14:10:01.123456Z`. */
const TIMESTAMP_TEXT = /^\d{4}-\d{2}-\d{2}T\d{2}:\d{2}:\d{2}\.\d{6}Z$/;

/** Cursors are opaque to clients: base64url of the keyset position. */
export function encodeCursor(cursor: SessionCursor): string {
  return Buffer.from(JSON.stringify([cursor.createdAt, cursor.id])).toString('base64url');
}

export function decodeCursor(value: string): SessionCursor {
  try {
    const [createdAt, id] = JSON.parse(Buffer.from(value, 'base64url').toString('utf8')) as unknown[];
    if (typeof createdAt === 'string' && typeof id === 'string' && TIMESTAMP_TEXT.test(createdAt) && id.length <= 22) {
      return { createdAt, id };
    }
  } catch {
    // fall through: not one of ours
  }
  throw new DomainError('validation_failed', 'cursor must be a nextCursor of an earlier page');
}
