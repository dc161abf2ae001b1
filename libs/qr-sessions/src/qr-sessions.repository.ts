import { Injectable } from '@nestjs/common';
import { DataSource, EntityManager } from 'typeorm';
import { returningRows } from '@app/common';
import type { DeviceType } from '@app/contract';
import { QrSession } from './qr-session.entity';
import { QrSessionEvent, type QrSessionEventType } from './qr-session-event.entity';

/** Every column of `qr_sessions` and the entity field it fills, for statements that return whole rows. */
const SESSION_FIELDS: Array<[column: string, field: keyof QrSession]> = [
  ['id', 'id'],
  ['secret_hash', 'secretHash'],
  ['status', 'status'],
  ['desktop_client_device_id', 'desktopClientDeviceId'],
  ['desktop_device_type', 'desktopDeviceType'],
  ['desktop_device_name', 'desktopDeviceName'],
  ['desktop_ip', 'desktopIp'],
  ['desktop_user_agent', 'desktopUserAgent'],
  ['created_at', 'createdAt'],
  ['expires_at', 'expiresAt'],
  ['scanned_at', 'scannedAt'],
  ['scanned_by_account_id', 'scannedByAccountId'],
  ['scanned_by_device_id', 'scannedByDeviceId'],
  ['scan_ticket_hash', 'scanTicketHash'],
  ['scan_ticket_expires_at', 'scanTicketExpiresAt'],
  ['scan_ticket_used_at', 'scanTicketUsedAt'],
  ['confirmed_at', 'confirmedAt'],
  ['rejected_at', 'rejectedAt'],
  ['cancelled_at', 'cancelledAt'],
  ['expired_at', 'expiredAt'],
  ['login_token_id', 'loginTokenId'],
];

function sessionColumns(table = 'qr_sessions'): string {
  const columns = SESSION_FIELDS.map(([column, field]) =>
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

const SESSION_COLUMNS = sessionColumns();

/** The phone acting on a session: the account and device of the token it presented. */
export interface Scanner {
  accountId: string;
  deviceRowId: string;
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

export interface AuditEntry {
  qrSessionId: string;
  type: QrSessionEventType;
  ip: string | null;
  userAgent: string | null;
  accountId?: string | null;
  deviceId?: string | null;
  clientDeviceId?: string | null;
}

/**
 * The QR session aggregate's storage. Every transition is one conditional UPDATE whose WHERE clause carries the
 * whole precondition (status, expiry, ticket, scanner), so that of any number of concurrent requests exactly one
 * changes the row; the others get no row back and the service explains why.
 */
@Injectable()
export class QrSessionsRepository {
  constructor(private readonly dataSource: DataSource) {}

  async insert(
    manager: EntityManager,
    session: Pick<
      QrSession,
      'id' | 'secretHash' | 'desktopClientDeviceId' | 'desktopDeviceType' | 'desktopDeviceName' | 'desktopIp' | 'desktopUserAgent'
    >,
    ttlSeconds: number,
  ): Promise<QrSessionRow> {
    const rows = await returningRows<QrSessionRow>(manager, 
      `INSERT INTO qr_sessions (id, secret_hash, status, desktop_client_device_id, desktop_device_type, desktop_device_name,
                                desktop_ip, desktop_user_agent, created_at, expires_at)
       VALUES ($1, $2, 'pending', $3, $4, $5, $6, $7, now(), now() + make_interval(secs => $8))
       RETURNING ${SESSION_COLUMNS}`,
      [
        session.id,
        session.secretHash,
        session.desktopClientDeviceId,
        session.desktopDeviceType,
        session.desktopDeviceName,
        session.desktopIp,
        session.desktopUserAgent,
        ttlSeconds,
      ],
    );
    return rows[0];
  }

  async findById(id: string): Promise<QrSessionRow | null> {
    const rows: QrSessionRow[] = await this.dataSource.query(`SELECT ${SESSION_COLUMNS} FROM qr_sessions WHERE id = $1`, [id]);
    return rows[0] ?? null;
  }

  /** The session with the scanner's display name and, once confirmed, the desktop's token: one query. */
  async findView(id: string): Promise<QrSessionView | null> {
    const rows: Array<Record<string, unknown>> = await this.dataSource.query(
      `SELECT ${sessionColumns('s')},
              token.issued_at AS "tokenIssuedAt", token.expires_at AS "tokenExpiresAt", token.revoked_at AS "tokenRevokedAt",
              owner.id AS "ownerId", owner.username AS "ownerUsername", owner.display_name AS "ownerDisplayName",
              device.id AS "deviceRowId", device.client_device_id AS "clientDeviceId", device.type AS "deviceType",
              device.name AS "deviceName"
         FROM qr_sessions s
         LEFT JOIN access_tokens token ON token.id = s.login_token_id
         LEFT JOIN accounts owner ON owner.id = token.account_id
         LEFT JOIN devices device ON device.id = token.device_id
        WHERE s.id = $1`,
      [id],
    );
    const row = rows[0];
    if (!row) return null;
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

  /**
   * pending → scanned, or a fresh ticket for the same account and device re-scanning. `scanned_at` keeps the first
   * scan's time, so `firstScan` tells a transition from a re-scan.
   */
  async markScanned(
    manager: EntityManager,
    id: string,
    scanner: Scanner,
    ticket: { hash: string; ttlSeconds: number },
  ): Promise<{ session: QrSessionRow; firstScan: boolean } | null> {
    const rows = await returningRows<QrSessionRow & { firstScan: boolean }>(manager, 
      `UPDATE qr_sessions
          SET status = 'scanned',
              scanned_at = COALESCE(scanned_at, now()),
              scanned_by_account_id = $2,
              scanned_by_device_id = $3,
              scan_ticket_hash = $4,
              scan_ticket_expires_at = LEAST(now() + make_interval(secs => $5), expires_at),
              scan_ticket_used_at = NULL
        WHERE id = $1
          AND expires_at > now()
          AND (status = 'pending'
               OR (status = 'scanned' AND scanned_by_account_id = $2 AND scanned_by_device_id = $3))
       RETURNING ${SESSION_COLUMNS}, qr_sessions.scanned_at = now() AS "firstScan"`,
      [id, scanner.accountId, scanner.deviceRowId, ticket.hash, ticket.ttlSeconds],
    );
    const row = rows[0];
    if (!row) return null;
    const { firstScan, ...session } = row;
    return { session, firstScan };
  }

  /**
   * scanned → confirmed or rejected, spending the scan ticket. The ticket must be the current one, unexpired, unused,
   * and presented by the account and device that scanned.
   */
  async markDecided(
    manager: EntityManager,
    id: string,
    decision: 'confirmed' | 'rejected',
    scanner: Scanner,
    ticketHash: string,
  ): Promise<QrSessionRow | null> {
    const timestamp = decision === 'confirmed' ? 'confirmed_at' : 'rejected_at';
    const rows = await returningRows<QrSessionRow>(manager, 
      `UPDATE qr_sessions
          SET status = $2, ${timestamp} = now(), scan_ticket_used_at = now()
        WHERE id = $1
          AND status = 'scanned'
          AND expires_at > now()
          AND scan_ticket_hash = $3
          AND scan_ticket_expires_at > now()
          AND scan_ticket_used_at IS NULL
          AND scanned_by_account_id = $4
          AND scanned_by_device_id = $5
       RETURNING ${SESSION_COLUMNS}`,
      [id, decision, ticketHash, scanner.accountId, scanner.deviceRowId],
    );
    return rows[0] ?? null;
  }

  /** pending|scanned → cancelled, by the desktop, before expiry. */
  async markCancelled(manager: EntityManager, id: string): Promise<QrSessionRow | null> {
    const rows = await returningRows<QrSessionRow>(manager, 
      `UPDATE qr_sessions SET status = 'cancelled', cancelled_at = now()
        WHERE id = $1 AND status IN ('pending', 'scanned') AND expires_at > now()
       RETURNING ${SESSION_COLUMNS}`,
      [id],
    );
    return rows[0] ?? null;
  }

  /** pending|scanned → expired, once `expires_at` has passed. */
  async markExpired(manager: EntityManager, id: string): Promise<QrSessionRow | null> {
    const rows = await returningRows<QrSessionRow>(manager, 
      `UPDATE qr_sessions SET status = 'expired', expired_at = now()
        WHERE id = $1 AND status IN ('pending', 'scanned') AND expires_at <= now()
       RETURNING ${SESSION_COLUMNS}`,
      [id],
    );
    return rows[0] ?? null;
  }

  async attachLoginToken(manager: EntityManager, id: string, tokenId: string): Promise<void> {
    await manager.query('UPDATE qr_sessions SET login_token_id = $2 WHERE id = $1', [id, tokenId]);
  }

  /** Open sessions whose time is up, oldest first. */
  async findDueForExpiry(limit: number): Promise<string[]> {
    const rows: Array<{ id: string }> = await this.dataSource.query(
      `SELECT id FROM qr_sessions
        WHERE status IN ('pending', 'scanned') AND expires_at <= now()
        ORDER BY expires_at
        LIMIT $1`,
      [limit],
    );
    return rows.map((row) => row.id);
  }

  async appendEvent(manager: EntityManager, entry: AuditEntry): Promise<void> {
    await manager.insert(QrSessionEvent, {
      qrSessionId: entry.qrSessionId,
      type: entry.type,
      ip: entry.ip,
      userAgent: entry.userAgent,
      accountId: entry.accountId ?? null,
      deviceId: entry.deviceId ?? null,
      clientDeviceId: entry.clientDeviceId ?? null,
    });
  }

  transaction<T>(work: (manager: EntityManager) => Promise<T>): Promise<T> {
    return this.dataSource.transaction(work);
  }
}
