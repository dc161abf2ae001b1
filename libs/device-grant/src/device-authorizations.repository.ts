import { Injectable } from '@nestjs/common';
import { DataSource, EntityManager } from 'typeorm';
import { violatesConstraint } from '@app/common';
import { DeviceAuthorization } from './device-authorization.entity';

/** A grant as the token endpoint and the phone's scan-code find it. */
export interface DeviceAuthorizationRow {
  qrSessionId: string;
  clientId: string;
  userCodeHash: string;
  deviceCodeHash: string;
  tokenIssuedAt: Date | null;
}

/** The outcome of counting one token request against the grant's pace. */
export interface PollPace {
  /** The request came sooner than `interval` after the previous one: answer `slow_down`. */
  tooFast: boolean;
  /** The interval from now on (5 more after a `slow_down`). */
  intervalSeconds: number;
}

const COLUMNS = `qr_session_id AS "qrSessionId", client_id AS "clientId", user_code_hash AS "userCodeHash",
                 device_code_hash AS "deviceCodeHash", token_issued_at AS "tokenIssuedAt"`;

/** PostgreSQL's unique_violation on the user code index: a clash with another grant's code, drawn again by the caller. */
export function isUserCodeClash(error: unknown): boolean {
  return violatesConstraint(error, '23505', 'uq_device_authorizations_user_code_hash');
}

/** The device grant aggregate's storage: one row beside each QR session that the grant created. */
@Injectable()
export class DeviceAuthorizationsRepository {
  constructor(private readonly dataSource: DataSource) {}

  /** Inside the transaction that creates the QR session. */
  async insert(
    manager: EntityManager,
    grant: { qrSessionId: string; clientId: string; userCodeHash: string; deviceCodeHash: string },
  ): Promise<void> {
    await manager.insert(DeviceAuthorization, { ...grant, lastPolledAt: null, tokenIssuedAt: null });
  }

  async findByUserCodeHash(hash: string): Promise<DeviceAuthorizationRow | null> {
    const rows: DeviceAuthorizationRow[] = await this.dataSource.query(`SELECT ${COLUMNS} FROM device_authorizations WHERE user_code_hash = $1`, [
      hash,
    ]);
    return rows[0] ?? null;
  }

  async findByDeviceCodeHash(hash: string): Promise<DeviceAuthorizationRow | null> {
    const rows: DeviceAuthorizationRow[] = await this.dataSource.query(`SELECT ${COLUMNS} FROM device_authorizations WHERE device_code_hash = $1`, [
      hash,
    ]);
    return rows[0] ?? null;
  }

  /**
   * Notes a token request and answers whether it came too soon (RFC 8628 §3.5 `slow_down`), in one statement: the row
   * is locked while the previous poll's time is read, so of two concurrent polls the second sees the first.
   * A poll that was too fast makes the interval 5 s longer for every later poll of this grant.
   */
  async notePoll(qrSessionId: string): Promise<PollPace | null> {
    // An UPDATE through query() answers [rows, count].
    const [rows]: [Array<{ intervalSeconds: number; tooFast: boolean }>, number] = await this.dataSource.query(
      `WITH previous AS (
         SELECT qr_session_id,
                COALESCE(last_polled_at > now() - make_interval(secs => poll_interval_seconds), false) AS too_fast
           FROM device_authorizations
          WHERE qr_session_id = $1
            FOR UPDATE
       )
       UPDATE device_authorizations grant_row
          SET last_polled_at = now(),
              poll_interval_seconds = grant_row.poll_interval_seconds + CASE WHEN previous.too_fast THEN 5 ELSE 0 END
         FROM previous
        WHERE grant_row.qr_session_id = previous.qr_session_id
       RETURNING grant_row.poll_interval_seconds AS "intervalSeconds", previous.too_fast AS "tooFast"`,
      [qrSessionId],
    );
    const row = rows[0];
    return row ? { tooFast: row.tooFast, intervalSeconds: row.intervalSeconds } : null;
  }

  /** Marks the token handed out, by the poll that does it; answers false when it already was (the device code is spent). */
  async markTokenIssued(qrSessionId: string): Promise<boolean> {
    const [, count]: [unknown[], number] = await this.dataSource.query(
      `UPDATE device_authorizations SET token_issued_at = now(), last_polled_at = now() WHERE qr_session_id = $1 AND token_issued_at IS NULL`,
      [qrSessionId],
    );
    return count === 1;
  }
}
