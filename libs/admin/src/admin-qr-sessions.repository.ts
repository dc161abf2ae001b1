import { Injectable } from '@nestjs/common';
import { DataSource } from 'typeorm';
import type { AdminQrSession, AdminQrSessionEvent, DeviceType, QrEventType, QrStatus } from '@app/contract';

export interface SessionFilter {
  status?: QrStatus;
  accountId?: string;
  from?: string;
  to?: string;
}

/** Keyset position: the exact creation time (ISO, UTC, microseconds, whatever the server's DateStyle) and the id. */
export interface SessionCursor {
  createdAt: string;
  id: string;
}

interface SessionRecord {
  id: string;
  status: QrStatus;
  created_at: Date;
  created_at_exact: string;
  expires_at: Date;
  scanned_at: Date | null;
  confirmed_at: Date | null;
  rejected_at: Date | null;
  cancelled_at: Date | null;
  expired_at: Date | null;
  scan_ticket_expires_at: Date | null;
  scan_ticket_used_at: Date | null;
  desktop_client_device_id: string;
  desktop_device_type: DeviceType;
  desktop_device_name: string | null;
  desktop_ip: string | null;
  desktop_user_agent: string | null;
  account_id: string | null;
  account_username: string | null;
  account_display_name: string | null;
  phone_device_id: string | null;
  phone_device_type: DeviceType | null;
  phone_device_name: string | null;
  login_issued: boolean;
  grant_client_id: string | null;
  grant_poll_interval_seconds: number | null;
  grant_last_polled_at: Date | null;
  grant_token_issued_at: Date | null;
}

// Named columns only: secret_hash, scan_ticket_hash and login_token_id never leave the database through here.
const SELECT_SESSIONS = `
  SELECT s.id, s.status, s.created_at, to_char(s.created_at AT TIME ZONE 'UTC', 'YYYY-MM-DD"T"HH24:MI:SS.US"Z"') AS created_at_exact, s.expires_at, s.scanned_at,
         s.confirmed_at, s.rejected_at, s.cancelled_at, s.expired_at, s.scan_ticket_expires_at, s.scan_ticket_used_at,
         s.desktop_client_device_id, s.desktop_device_type, s.desktop_device_name, host(s.desktop_ip) AS desktop_ip,
         s.desktop_user_agent,
         account.id AS account_id, account.username AS account_username, account.display_name AS account_display_name,
         phone.client_device_id AS phone_device_id, phone.type AS phone_device_type, phone.name AS phone_device_name,
         s.login_token_id IS NOT NULL AS login_issued,
         grant_row.client_id AS grant_client_id, grant_row.poll_interval_seconds AS grant_poll_interval_seconds,
         grant_row.last_polled_at AS grant_last_polled_at, grant_row.token_issued_at AS grant_token_issued_at
    FROM qr_sessions s
    LEFT JOIN accounts account ON account.id = s.scanned_by_account_id
    LEFT JOIN devices phone ON phone.id = s.scanned_by_device_id
    LEFT JOIN device_authorizations grant_row ON grant_row.qr_session_id = s.id`;

const iso = (value: Date | null): string | null => (value ? value.toISOString() : null);

/** One hour of the sign-in chart: how many sessions ended each way in it. */
export interface SignInHour {
  start: Date;
  confirmed: number;
  rejected: number;
  expired: number;
  cancelled: number;
}

/** The admin's read model of QR sessions: filtered, keyset-paginated lists and one session's audit trail. */
@Injectable()
export class AdminQrSessionsRepository {
  constructor(private readonly dataSource: DataSource) {}

  /** Newest first; answers `limit` items and the cursor after the last one, if there are more. */
  async list(filter: SessionFilter, limit: number, after?: SessionCursor): Promise<{ items: AdminQrSession[]; next: SessionCursor | null }> {
    const where: string[] = [];
    const params: unknown[] = [];
    const param = (value: unknown) => {
      params.push(value);
      return `$${params.length}`;
    };
    if (filter.status) where.push(`s.status = ${param(filter.status)}`);
    if (filter.accountId) where.push(`s.scanned_by_account_id = ${param(filter.accountId)}`);
    if (filter.from) where.push(`s.created_at >= ${param(filter.from)}::timestamptz`);
    if (filter.to) where.push(`s.created_at < ${param(filter.to)}::timestamptz`);
    if (after) where.push(`(s.created_at, s.id) < (${param(after.createdAt)}::timestamptz, ${param(after.id)})`);
    const rows: SessionRecord[] = await this.dataSource.query(
      `${SELECT_SESSIONS}
       ${where.length ? `WHERE ${where.join(' AND ')}` : ''}
       ORDER BY s.created_at DESC, s.id DESC
       LIMIT ${param(limit + 1)}`,
      params,
    );
    const page = rows.slice(0, limit);
    const last = page.at(-1);
    return {
      items: page.map(toAdminSession),
      next: rows.length > limit && last ? { createdAt: last.created_at_exact, id: last.id } : null,
    };
  }

  async find(id: string): Promise<AdminQrSession | null> {
    const rows: SessionRecord[] = await this.dataSource.query(`${SELECT_SESSIONS} WHERE s.id = $1`, [id]);
    return rows[0] ? toAdminSession(rows[0]) : null;
  }

  /**
   * Sessions that ended in each of the last `hours` UTC hours (the current one included, oldest first), by outcome,
   * counted from the audit trail. Every hour is there, with zeros when nothing happened; the hours are PostgreSQL's,
   * so every process draws the same chart.
   */
  async signInsPerHour(hours: number): Promise<SignInHour[]> {
    const rows: Array<{ start: Date; confirmed: string; rejected: string; expired: string; cancelled: string }> = await this.dataSource.query(
      `WITH hours AS (
         SELECT generate_series(date_trunc('hour', now(), 'UTC') - make_interval(hours => $1 - 1),
                                date_trunc('hour', now(), 'UTC'), interval '1 hour') AS start
       ), ended AS (
         SELECT date_trunc('hour', occurred_at, 'UTC') AS start, type
           FROM qr_session_events
          WHERE type IN ('confirmed', 'rejected', 'expired', 'cancelled')
            AND occurred_at >= date_trunc('hour', now(), 'UTC') - make_interval(hours => $1 - 1)
       )
       SELECT hours.start,
              count(*) FILTER (WHERE ended.type = 'confirmed') AS confirmed,
              count(*) FILTER (WHERE ended.type = 'rejected') AS rejected,
              count(*) FILTER (WHERE ended.type = 'expired') AS expired,
              count(*) FILTER (WHERE ended.type = 'cancelled') AS cancelled
         FROM hours LEFT JOIN ended ON ended.start = hours.start
        GROUP BY hours.start
        ORDER BY hours.start`,
      [hours],
    );
    return rows.map((row) => ({
      start: row.start,
      confirmed: Number(row.confirmed),
      rejected: Number(row.rejected),
      expired: Number(row.expired),
      cancelled: Number(row.cancelled),
    }));
  }

  /** The audit trail, oldest first. */
  async events(id: string): Promise<AdminQrSessionEvent[]> {
    const rows: Array<{
      type: QrEventType;
      occurred_at: Date;
      ip: string | null;
      user_agent: string | null;
      account_id: string | null;
      client_device_id: string | null;
    }> = await this.dataSource.query(
      `SELECT type, occurred_at, host(ip) AS ip, user_agent, account_id, client_device_id
         FROM qr_session_events WHERE qr_session_id = $1 ORDER BY occurred_at, id`,
      [id],
    );
    return rows.map((row) => ({
      type: row.type,
      at: row.occurred_at.toISOString(),
      ip: row.ip,
      userAgent: row.user_agent,
      ...(row.account_id ? { accountId: row.account_id } : {}),
      ...(row.client_device_id ? { deviceId: row.client_device_id } : {}),
    }));
  }
}

function toAdminSession(row: SessionRecord): AdminQrSession {
  return {
    id: row.id,
    status: row.status,
    createdAt: row.created_at.toISOString(),
    expiresAt: row.expires_at.toISOString(),
    scannedAt: iso(row.scanned_at),
    confirmedAt: iso(row.confirmed_at),
    rejectedAt: iso(row.rejected_at),
    cancelledAt: iso(row.cancelled_at),
    expiredAt: iso(row.expired_at),
    scanTicketExpiresAt: iso(row.scan_ticket_expires_at),
    scanTicketUsedAt: iso(row.scan_ticket_used_at),
    desktop: {
      deviceId: row.desktop_client_device_id,
      type: row.desktop_device_type,
      name: row.desktop_device_name,
      ip: row.desktop_ip,
      userAgent: row.desktop_user_agent,
    },
    account:
      row.account_id && row.account_username && row.account_display_name !== null
        ? { id: row.account_id, username: row.account_username, displayName: row.account_display_name }
        : null,
    phone:
      row.phone_device_id && row.phone_device_type
        ? { deviceId: row.phone_device_id, type: row.phone_device_type, name: row.phone_device_name }
        : null,
    loginIssued: row.login_issued,
    deviceGrant:
      row.grant_client_id !== null
        ? {
            clientId: row.grant_client_id,
            pollIntervalSeconds: row.grant_poll_interval_seconds ?? 0,
            lastPolledAt: iso(row.grant_last_polled_at),
            tokenIssuedAt: iso(row.grant_token_issued_at),
          }
        : null,
  };
}
