import { Injectable } from '@nestjs/common';
import type { QrSessionSnapshot } from '@app/contract';
import { TokensService } from '@app/tokens';
import type { QrSessionChangeFields } from './qr-session-change';
import type { QrSessionRow, QrSessionView } from './qr-session.records';
import { QrSessionsRepository } from './qr-sessions.repository';

/** How long after its confirmation a desktop may still read its token, at least (a session's expiry may be later). */
export const LOGIN_PICKUP_SECONDS = 60;

type SnapshotFields = Pick<QrSessionRow, 'id' | 'status' | 'expiresAt' | 'scannedAt' | 'scannedByDisplayName' | 'scannedByUsername'>;

/** Builds the snapshot of contract §3 from stored rows; the only place that decides whether `login` is shown. */
@Injectable()
export class QrSnapshots {
  constructor(
    private readonly sessions: QrSessionsRepository,
    private readonly tokens: TokensService,
  ) {}

  /** The snapshot without `login`: safe to publish on the bus. */
  of(session: SnapshotFields): QrSessionSnapshot {
    const snapshot: QrSessionSnapshot = {
      id: session.id,
      status: session.status,
      expiresAt: session.expiresAt.toISOString(),
    };
    if (session.scannedAt) {
      snapshot.scannedAt = session.scannedAt.toISOString();
      if (session.scannedByDisplayName !== null && session.scannedByUsername !== null) {
        snapshot.scannedBy = { displayName: session.scannedByDisplayName, username: session.scannedByUsername };
      }
    }
    return snapshot;
  }

  /** The snapshot of a published change (the same as {@link of} of the row it was built from). */
  ofMessage(fields: QrSessionChangeFields): QrSessionSnapshot {
    return this.of({
      ...fields,
      expiresAt: new Date(fields.expiresAt),
      scannedAt: fields.scannedAt === null ? null : new Date(fields.scannedAt),
    });
  }

  /**
   * The full snapshot, with `login` while the secret holder may still pick it up: until `expiresAt` or
   * {@link LOGIN_PICKUP_SECONDS} after confirmation, whichever is later, and only while the token still stands.
   */
  ofView({ session, login }: QrSessionView, now = Date.now()): QrSessionSnapshot {
    const snapshot = this.of(session);
    if (session.status !== 'confirmed' || !login || login.revokedAt || !session.confirmedAt) return snapshot;
    const pickupEnds = Math.max(session.expiresAt.getTime(), session.confirmedAt.getTime() + LOGIN_PICKUP_SECONDS * 1000);
    if (now >= pickupEnds) return snapshot;
    snapshot.login = this.tokens.loginResult(
      { id: login.tokenId, issuedAt: login.issuedAt, expiresAt: login.expiresAt },
      { account: login.account, device: login.device },
    );
    return snapshot;
  }

  async load(id: string): Promise<QrSessionSnapshot | null> {
    const view = await this.sessions.findView(id);
    return view ? this.ofView(view) : null;
  }
}
