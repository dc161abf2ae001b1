import type { DeviceType } from './devices';

/**
 * The wire shapes of the public contract (§2-§4), shared by the server and its clients so that a renamed field
 * breaks the build rather than a user. Pure types and constants: no framework imports here.
 */
export const QR_STATUSES = ['pending', 'scanned', 'confirmed', 'rejected', 'cancelled', 'expired'] as const;
export type QrStatus = (typeof QR_STATUSES)[number];

/** Statuses from which a session may still change. */
export const OPEN_STATUSES: readonly QrStatus[] = ['pending', 'scanned'];
/** Statuses a session ends in: it never changes again. */
export const FINISHED_STATUSES: readonly QrStatus[] = ['confirmed', 'rejected', 'cancelled', 'expired'];

export function isFinished(status: QrStatus): boolean {
  return FINISHED_STATUSES.includes(status);
}

/**
 * How far along the state machine a status is: pending < scanned < any finished status. Sessions only ever move
 * forward, so an event whose rank is not above what a client already has is stale (it arrived late) and can be dropped.
 */
export function statusRank(status: QrStatus): number {
  return status === 'pending' ? 0 : status === 'scanned' ? 1 : 2;
}

export interface AccountView {
  id: string;
  username: string;
  displayName: string;
}

export interface DeviceView {
  id: string;
  type: DeviceType;
  name: string | null;
}

/** What a successful sign-in gives a client: by password (`POST /api/auth/login`) or by QR (`snapshot.login`). */
export interface LoginResult {
  accessToken: string;
  tokenType: 'Bearer';
  expiresAt: string;
  account: AccountView;
  device: DeviceView;
}

/** A QR session as its secret holder (the desktop) sees it. */
export interface QrSessionSnapshot {
  id: string;
  status: QrStatus;
  expiresAt: string;
  scannedAt?: string;
  /**
   * The account that scanned. `username` extends the contract: display names are free text and can look alike
   * ("Аlice" with a Cyrillic А), usernames are unique and plain ASCII, so a desktop shows both.
   */
  scannedBy?: { displayName: string; username: string };
  login?: LoginResult;
}

export interface CreatedQrSession {
  id: string;
  secret: string;
  status: 'pending';
  expiresAt: string;
  qrContent: string;
  qrImage?: string;
}

export interface ScanResult {
  id: string;
  status: 'scanned';
  scanTicket: string;
  ticketExpiresAt: string;
  requester: {
    device: { type: DeviceType; name: string | null };
    ip: string | null;
    userAgent: string | null;
    createdAt: string;
  };
}

/** The Socket.IO namespace of §4 and what the server emits into a session's room. */
export const QR_NAMESPACE = '/qr';

export interface QrServerToClientEvents {
  status: (snapshot: QrSessionSnapshot) => void;
  scanned: (snapshot: QrSessionSnapshot) => void;
  confirmed: (snapshot: QrSessionSnapshot) => void;
  rejected: (snapshot: QrSessionSnapshot) => void;
  cancelled: (snapshot: QrSessionSnapshot) => void;
  expired: (snapshot: QrSessionSnapshot) => void;
}

/** The desktop sends nothing after the handshake; it authenticates with `auth: QrSocketAuth`. */
export type QrClientToServerEvents = Record<string, never>;

export interface QrSocketAuth {
  qrId: string;
  secret: string;
}

/**
 * Sign-in alerts (threat 7: QR-login phishing): every signed-in device of an account hears of each new sign-in to
 * it, so that a login the user did not mean to allow does not go unnoticed.
 */
export const ACCOUNT_NAMESPACE = '/account';

export interface SignInAlert {
  method: 'password' | 'qr';
  at: string;
  /** The device that was signed in. */
  device: { id: string; type: DeviceType; name: string | null };
  /** Where the sign-in came from: for a QR sign-in, the desktop that showed the code. */
  ip: string | null;
  userAgent: string | null;
  /** For a QR sign-in: the id of the phone that confirmed it. */
  approvedBy?: string;
}

export interface AccountServerToClientEvents {
  sign_in: (alert: SignInAlert) => void;
}

export interface AccountSocketAuth {
  accessToken: string;
  deviceId: string;
}
