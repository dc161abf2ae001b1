import type { EntityManager } from 'typeorm';
import type { DeviceType, SignInAlert } from '@app/contract';
import type { CounterState } from '@app/rate-limits';
import type { TokenState } from '@app/tokens';
import type { QrSessionChangeMessage } from './qr-session-change';
import type { QrSession } from './qr-session.entity';

/**
 * The phone acting on a session, as its request presented itself: a token whose signature and device binding hold.
 * The transition's statement reads the token, whose account and device become the common table expression `caller`
 * if it stands.
 */
export interface CallerCheck {
  tokenId: string;
  accountId: string;
}

/** A request's hit on its rate-limit counter, counted by the statement that does the request's work. */
export interface CounterHit {
  key: string;
  windowSeconds: number;
  limit: number;
}

/**
 * A transition whose statement also checks its request (the phone's token, the rate limit): what it did (`done`), or
 * what it read that may say why it did not.
 */
export interface CheckedTransition<T extends Transition> {
  done: T | null;
  /** The presented token's row as the statement read it (null: there is none, or no token was checked). */
  token: TokenState | null;
  /** The rate-limit counter as the statement left it (null: nothing was counted). */
  counter: CounterState | null;
}

/** A session row as the repository returns it: its columns and the scanner's display name and username. */
export type QrSessionRow = QrSession & { scannedByDisplayName: string | null; scannedByUsername: string | null };

/** A session with the desktop's token, once confirmed: everything its snapshot shows. */
export interface QrSessionView {
  session: QrSessionRow;
  login: {
    tokenId: string;
    issuedAt: Date;
    expiresAt: Date;
    revokedAt: Date | null;
    account: { id: string; username: string; displayName: string };
    device: { rowId: string; id: string; type: DeviceType; name: string | null };
  } | null;
}

/** What a desktop's request gives a new session. */
export type NewQrSession = Pick<
  QrSession,
  'id' | 'secretHash' | 'desktopClientDeviceId' | 'desktopDeviceType' | 'desktopDeviceName' | 'desktopIp' | 'desktopUserAgent'
>;

/** Who caused a change, for its audit row. */
export interface AuditActor {
  ip: string | null;
  userAgent: string | null;
  accountId?: string | null;
  deviceId?: string | null;
  clientDeviceId?: string | null;
}

/**
 * How a transition statement publishes its change: with `pg_notify` in the statement itself, or not (the caller
 * publishes through the event bus in `manager`'s transaction, which the statement then joins).
 */
export interface Publishing {
  notifyInStatement: boolean;
  manager?: EntityManager;
}

/** A committed transition: the row after it and, when it wrote an audit row, the message of the change. */
export interface Transition {
  session: QrSessionRow;
  /** Absent when nothing was recorded (a re-scan by the same phone only renews its ticket). */
  message?: QrSessionChangeMessage;
}

/** What a confirmation needs besides the ticket: the desktop's token to record and the sign-in alert to publish. */
export interface ConfirmPlan {
  caller: CallerCheck;
  counter?: CounterHit;
  /** The phone's own device id, which approves the sign-in (the alert names it; the desktop may not claim it). */
  phoneDeviceId: string;
  ticketHash: string;
  /** The id a new desktop device row gets; an existing row of the account with that device id is reused. */
  newDeviceRowId: string;
  token: { id: string; issuedAt: Date; expiresAt: Date };
  alertAt: string;
  actor: AuditActor;
}

/** A committed confirmation, with everything the desktop's `login` and the sign-in alert are made of. */
export interface Confirmation extends Transition {
  account: { id: string; username: string; displayName: string };
  desktop: { rowId: string; id: string; type: DeviceType; name: string | null };
  alert: { accountId: string; alert: SignInAlert };
}
