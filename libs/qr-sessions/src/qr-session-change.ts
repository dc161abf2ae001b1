import type { QrEventType, QrStatus } from '@app/contract';

/** The event-bus channel on which every committed QR session change is published. */
export const QR_EVENTS_CHANNEL = 'qr_session_events';

/** The fields of a session that its published snapshot is made of (timestamps as ISO strings). */
export interface QrSessionChangeFields {
  id: string;
  status: QrStatus;
  expiresAt: string;
  scannedAt: string | null;
  scannedByDisplayName: string | null;
  scannedByUsername: string | null;
}

/**
 * What is published for each change, built by the statement that makes it (see QrSessionsRepository). It carries no
 * `login`: a token never travels through the bus; the process that confirmed delivers it to its own listeners, and the
 * others read it from the database once. `eventId` is the audit row's id: it tells a repeat of the same message.
 */
export interface QrSessionChangeMessage {
  type: QrEventType;
  eventId: string;
  session: QrSessionChangeFields;
  /** Epoch milliseconds at which the transition's statement was sent (for qr_push_delay_seconds). */
  publishedAt?: number;
}

export function isChangeMessage(value: unknown): value is QrSessionChangeMessage {
  const message = value as QrSessionChangeMessage | null;
  return (
    typeof message === 'object' &&
    message !== null &&
    typeof message.type === 'string' &&
    typeof message.eventId === 'string' &&
    typeof message.session === 'object' &&
    message.session !== null &&
    typeof message.session.id === 'string' &&
    typeof message.session.status === 'string' &&
    typeof message.session.expiresAt === 'string'
  );
}
