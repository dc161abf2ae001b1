import type { QrSessionSnapshot } from '@app/contract';
import type { QrSessionEventType } from './qr-session-event.entity';

/** The PostgreSQL NOTIFY channel on which every committed QR session change is published. */
export const QR_EVENTS_CHANNEL = 'qr_session_events';

/**
 * What is published for each change. It carries the snapshot without `login`: a token never travels through the bus;
 * listeners that need it (the `confirmed` event) read it from the database once per process.
 */
export interface QrSessionChangeMessage {
  type: QrSessionEventType;
  snapshot: QrSessionSnapshot;
  /** Epoch milliseconds at which the transition published it, inside its transaction (for qr_push_delay_seconds). */
  publishedAt?: number;
}

export function isChangeMessage(value: unknown): value is QrSessionChangeMessage {
  const message = value as QrSessionChangeMessage | null;
  return (
    typeof message === 'object' &&
    message !== null &&
    typeof message.type === 'string' &&
    typeof message.snapshot === 'object' &&
    message.snapshot !== null &&
    typeof message.snapshot.id === 'string' &&
    typeof message.snapshot.status === 'string'
  );
}
