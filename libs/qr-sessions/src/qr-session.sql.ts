import type { DeviceType } from '@app/contract';
import { countingSql } from '@app/rate-limits';
import type { QrSessionRow, QrSessionView } from './qr-session.records';
import type { QrSession } from './qr-session.entity';

// The SQL of a session's row as the repository reads it: its columns (each under its entity field's name), the
// scanner's names, the view with the desktop's token, and the message a change publishes. The transitions that write
// the rows are in qr-transitions.sql.ts, the types of what they answer in qr-session.records.ts.

/** The entity's column fields: its required properties (its relations are the optional ones). */
type QrSessionColumnField = { [K in keyof QrSession]-?: undefined extends QrSession[K] ? never : K }[keyof QrSession];

/**
 * Every column of `qr_sessions`, by the entity field it fills, for statements that return whole rows. A column added
 * to the entity and not here does not compile.
 */
const COLUMN_OF_FIELD = {
  id: 'id',
  secretHash: 'secret_hash',
  status: 'status',
  desktopClientDeviceId: 'desktop_client_device_id',
  desktopDeviceType: 'desktop_device_type',
  desktopDeviceName: 'desktop_device_name',
  desktopIp: 'desktop_ip',
  desktopUserAgent: 'desktop_user_agent',
  createdAt: 'created_at',
  expiresAt: 'expires_at',
  scannedAt: 'scanned_at',
  scannedByAccountId: 'scanned_by_account_id',
  scannedByDeviceId: 'scanned_by_device_id',
  scanTicketHash: 'scan_ticket_hash',
  scanTicketExpiresAt: 'scan_ticket_expires_at',
  scanTicketUsedAt: 'scan_ticket_used_at',
  confirmedAt: 'confirmed_at',
  rejectedAt: 'rejected_at',
  cancelledAt: 'cancelled_at',
  expiredAt: 'expired_at',
  loginTokenId: 'login_token_id',
} as const satisfies Record<QrSessionColumnField, string>;
const SESSION_FIELDS = Object.entries(COLUMN_OF_FIELD) as Array<[field: QrSessionColumnField, column: string]>;

function sessionColumns(table = 'qr_sessions'): string {
  const columns = SESSION_FIELDS.map(([field, column]) =>
    // host() shows an inet as people write it ("127.0.0.1"), without the "/32" of its text form.
    column === 'desktop_ip' ? `host(${table}.${column}) AS "${field}"` : `${table}.${column} AS "${field}"`,
  );
  // The scanner's display name and username are part of every snapshot after a scan (the username because display
  // names can look alike: "Аlice" with a Cyrillic А); sub-selects keep RETURNING to one round trip.
  columns.push(
    `(SELECT display_name FROM accounts WHERE accounts.id = ${table}.scanned_by_account_id) AS "scannedByDisplayName"`,
    `(SELECT username FROM accounts WHERE accounts.id = ${table}.scanned_by_account_id) AS "scannedByUsername"`,
  );
  return columns.join(', ');
}

export const SESSION_COLUMNS = sessionColumns();
const SESSION_COLUMNS_OF_S = sessionColumns('s');
export const SESSION_ROW_FIELDS: ReadonlyArray<keyof QrSessionRow> = [
  ...SESSION_FIELDS.map(([field]) => field),
  'scannedByDisplayName',
  'scannedByUsername',
];

/**
 * The published message of a change, built inside the statement from the row it returns (`changed`) and its audit
 * row (`event`): the fields of {@link QrSessionChangeMessage}, never a secret or a token.
 */
export const CHANGE_MESSAGE_SQL = `json_build_object(
  'type', event.type, 'eventId', event.id::text, 'publishedAt', floor(extract(epoch FROM clock_timestamp()) * 1000)::bigint,
  'session', json_build_object('id', changed."id", 'status', changed."status", 'expiresAt', changed."expiresAt",
                               'scannedAt', changed."scannedAt", 'scannedByDisplayName', changed."scannedByDisplayName",
                               'scannedByUsername', changed."scannedByUsername"))::text`;

/** A session's view (see {@link QrSessionsRepository.findView}) by its id, $1. */
export const VIEW = `SELECT ${SESSION_COLUMNS_OF_S},
              token.issued_at AS "tokenIssuedAt", token.expires_at AS "tokenExpiresAt", token.revoked_at AS "tokenRevokedAt",
              owner.id AS "ownerId", owner.username AS "ownerUsername", owner.display_name AS "ownerDisplayName",
              device.id AS "deviceRowId", device.client_device_id AS "clientDeviceId", device.type AS "deviceType",
              device.name AS "deviceName"
         FROM qr_sessions s
         LEFT JOIN access_tokens token ON token.id = s.login_token_id
         LEFT JOIN accounts owner ON owner.id = token.account_id
         LEFT JOIN devices device ON device.id = token.device_id
        WHERE s.id = $1`;

/** The view, with the request counted on its rate limit ($2 the counter's key, $3 its window). */
export const COUNTED_VIEW = countingSql({ select: VIEW }, '$2', '$3');

export function viewOf(row: Record<string, unknown>): QrSessionView {
  const session = row as unknown as QrSessionRow;
  return {
    session,
    login:
      session.loginTokenId && row.ownerId && row.deviceRowId
        ? {
            tokenId: session.loginTokenId,
            issuedAt: row.tokenIssuedAt as Date,
            expiresAt: row.tokenExpiresAt as Date,
            revokedAt: (row.tokenRevokedAt as Date | null) ?? null,
            account: {
              id: row.ownerId as string,
              username: row.ownerUsername as string,
              displayName: row.ownerDisplayName as string,
            },
            device: {
              rowId: row.deviceRowId as string,
              id: row.clientDeviceId as string,
              type: row.deviceType as DeviceType,
              name: (row.deviceName as string | null) ?? null,
            },
          }
        : null,
  };
}
