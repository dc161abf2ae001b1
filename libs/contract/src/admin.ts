import type { DeviceType } from './devices';
import type { QrStatus } from './qr-sessions';

/** The admin API's shapes (contract §5). They never carry a secret, a hash or a token. */
export interface AdminQrSession {
  id: string;
  status: QrStatus;
  createdAt: string;
  expiresAt: string;
  scannedAt: string | null;
  confirmedAt: string | null;
  rejectedAt: string | null;
  cancelledAt: string | null;
  expiredAt: string | null;
  scanTicketExpiresAt: string | null;
  scanTicketUsedAt: string | null;
  /** The desktop that asked. */
  desktop: { deviceId: string; type: DeviceType; name: string | null; ip: string | null; userAgent: string | null };
  /** The account that scanned, which signs in on confirmation. */
  account: { id: string; username: string; displayName: string } | null;
  /** The phone that scanned. */
  phone: { deviceId: string; type: DeviceType; name: string | null } | null;
  /** Whether confirmation gave the desktop a token (never the token itself). */
  loginIssued: boolean;
  /** For a session made by the OAuth device grant (contract §8): the client and its polling; null for a QR login. */
  deviceGrant: AdminDeviceGrant | null;
}

export interface AdminDeviceGrant {
  clientId: string;
  /** Seconds between token requests: 5, plus 5 for every slow_down. */
  pollIntervalSeconds: number;
  lastPolledAt: string | null;
  /** When the token endpoint handed out the token (once). */
  tokenIssuedAt: string | null;
}

export const QR_EVENT_TYPES = ['created', 'scanned', 'confirmed', 'rejected', 'cancelled', 'expired'] as const;
export type QrEventType = (typeof QR_EVENT_TYPES)[number];

export interface AdminQrSessionEvent {
  type: QrEventType;
  at: string;
  ip: string | null;
  userAgent: string | null;
  accountId?: string;
  deviceId?: string;
}

export interface AdminQrSessionDetail extends AdminQrSession {
  events: AdminQrSessionEvent[];
}

export interface AdminPage<T> {
  items: T[];
  nextCursor: string | null;
}

export type TokenState = 'active' | 'revoked' | 'expired';

export interface AdminDevice {
  accountId: string;
  id: string;
  type: DeviceType;
  name: string | null;
  createdAt: string;
  lastSeenAt: string;
  signedOutAt: string | null;
  tokens: Array<{
    grant: 'password' | 'qr';
    issuedAt: string;
    expiresAt: string;
    revokedAt: string | null;
    revokeReason: string | null;
    state: TokenState;
  }>;
}

export interface AdminAccount {
  id: string;
  username: string;
  displayName: string;
  role: 'user' | 'admin';
  createdAt: string;
}

/** Socket.IO namespace of the admin page: every QR session change, live. */
export const ADMIN_NAMESPACE = '/admin';

export interface AdminServerToClientEvents {
  qr_session: (change: { type: QrEventType; id: string; status: QrStatus }) => void;
}

export interface AdminSocketAuth {
  accessToken: string;
  deviceId: string;
}

/** How a QR session ended, as the admin's chart counts it. */
export const SIGN_IN_OUTCOMES = ['confirmed', 'rejected', 'expired', 'cancelled'] as const;
export type SignInOutcome = (typeof SIGN_IN_OUTCOMES)[number];

/** The spans the chart covers, in hours of one bar each. */
export const SIGN_IN_STATS_RANGES = { '24h': 24, '7d': 168 } as const;
export type SignInStatsRange = keyof typeof SIGN_IN_STATS_RANGES;

/** `GET /api/admin/stats/sign-ins?range=24h|7d` (an extension for the admin page): sessions that ended, per UTC hour. */
export interface AdminSignInStats {
  range: SignInStatsRange;
  /** Always 3600: one bucket per hour. */
  bucketSeconds: number;
  /** Start of the first hour and end of the last one (the current hour, still running). */
  from: string;
  to: string;
  /** Oldest first, every hour present (zeros included). */
  hours: Array<{ start: string } & Record<SignInOutcome, number>>;
  totals: Record<SignInOutcome, number>;
}

/**
 * `GET /api/admin/stats/live` (an extension for the admin page): what the service's processes see right now, from the
 * same figures as `GET /metrics`, summed over every process that reported in the last seconds.
 */
export interface AdminLiveStats {
  /** Desktops following a session over Socket.IO (namespace /qr). */
  connectedDesktops: number;
  /** Long-poll requests held, waiting for a change. */
  waitingLongPolls: number;
  /** Committed transition → event written to the desktop, over the last (up to) 1000 deliveries. */
  pushDelay: { count: number; medianSeconds: number | null };
  /** How many processes the figures come from. */
  processes: number;
  at: string;
}
