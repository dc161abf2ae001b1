import { Injectable } from '@nestjs/common';
import { DataSource, type EntityManager } from 'typeorm';
import { violatesConstraint } from '@app/common';
import { AppConfigService } from '@app/config';
import type { DeviceType, QrEventType, SignInAlert } from '@app/contract';
import { preparedQuery } from '@app/database';
import { countedCte, countingSql, counterStateOf, type CounterRow, type CounterState } from '@app/rate-limits';
import { SIGN_IN_ALERTS_CHANNEL } from '@app/sign-in-alerts';
import { PRESENTED_TOKEN_COLUMNS, presentedTokenCtes, presentedTokenStands, presentedTokenStateOf, type TokenState } from '@app/tokens';
import { QR_EVENTS_CHANNEL, type QrSessionChangeMessage } from './qr-session-change';
import { QrSession } from './qr-session.entity';

/**
 * Why a confirmation failed as a whole: the desktop claimed the device id of another device of the account, of another
 * type, so its upsert made no device and the login token's foreign key found none.
 */
export function isDeviceClaim(error: unknown): boolean {
  return violatesConstraint(error, '23503', 'fk_qr_sessions_login_token');
}

/** The advisory lock that makes one process at a time delete old sessions. */
const RETENTION_LOCK = 72_519_101;

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

const SESSION_COLUMNS = sessionColumns();
const SESSION_COLUMNS_OF_S = sessionColumns('s');
const SESSION_ROW_FIELDS: ReadonlyArray<keyof QrSessionRow> = [
  ...SESSION_FIELDS.map(([field]) => field),
  'scannedByDisplayName',
  'scannedByUsername',
];

/**
 * The published message of a change, built inside the statement from the row it returns (`changed`) and its audit
 * row (`event`): the fields of {@link QrSessionChangeMessage}, never a secret or a token.
 */
const CHANGE_MESSAGE_SQL = `json_build_object(
  'type', event.type, 'eventId', event.id::text, 'publishedAt', floor(extract(epoch FROM clock_timestamp()) * 1000)::bigint,
  'session', json_build_object('id', changed."id", 'status', changed."status", 'expiresAt', changed."expiresAt",
                               'scannedAt', changed."scannedAt", 'scannedByDisplayName', changed."scannedByDisplayName",
                               'scannedByUsername', changed."scannedByUsername"))::text`;

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

/**
 * The SQL of one kind of transition, written once (the constants below). Its statement's text is built from it once
 * for each way it runs (with or without a rate-limit counter, publishing from SQL or not) and then reused: a request
 * only fills in the values (see {@link transitionSql}).
 */
interface TransitionShape {
  /** The INSERT or UPDATE of `qr_sessions`, `RETURNING ${SESSION_COLUMNS}` (and any extra columns), with its own $1..$n. */
  change: string;
  type: QrEventType;
  /**
   * Whether the change is a phone's: `change` joins the CTE `caller`, which has its row only if the phone's token
   * stands (and, with a counter, the hit is within its limit). A change that is not joins `within_limit` if it can be
   * refused for the rate limit: that CTE has its one row only within the limit (and always, without a counter).
   */
  checksCaller?: boolean;
  /** A condition on `changed` under which the change is recorded and published (default: always). */
  recordWhen?: string;
  /** More common table expressions after `changed` and `event`. */
  moreCtes?: string;
  /** More output columns and joins for those. */
  moreColumns?: string;
  moreJoins?: string;
  /** Another message the statement publishes when the bus takes messages from SQL: its channel, and its expression. */
  alsoNotifies?: { channel: string; message: string; as: string };
  /** The audit row's `client_device_id`, when it is taken from the row (`changed."..."`) rather than from the actor. */
  clientDeviceIdSql?: string;
  /**
   * A step that signs no one in (a new session, a scan): with QR_ASYNC_COMMIT on, its commit does not wait for the
   * WAL flush (PostgreSQL's asynchronous commit; docs/database.md, "What a crash may undo").
   */
  commitsAsynchronously?: boolean;
}

/** One run of a transition: the values of its change, who caused it, and what the statement checks of the request. */
interface TransitionRequest {
  parameters: unknown[];
  /** Who caused the change. With `caller`, its account and device are the caller's, read by the statement. */
  actor: AuditActor;
  /** The phone's token, for a shape that `checksCaller`. */
  caller?: CallerCheck;
  /** The request's rate-limit hit, counted by the statement. */
  counter?: CounterHit;
}

/** A session's view (see {@link QrSessionsRepository.findView}) by its id, $1. */
const VIEW = `SELECT ${SESSION_COLUMNS_OF_S},
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
const COUNTED_VIEW = countingSql({ select: VIEW }, '$2', '$3');

function viewOf(row: Record<string, unknown>): QrSessionView {
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

/** A new pending session (`insert`): $1..$8 its id, secret's hash, desktop, and time to live in seconds. */
const CREATE: TransitionShape = {
  change: `INSERT INTO qr_sessions (id, secret_hash, status, desktop_client_device_id, desktop_device_type,
                                    desktop_device_name, desktop_ip, desktop_user_agent, created_at, expires_at)
           SELECT $1, $2, 'pending', $3, $4, $5, $6, $7, now(), now() + make_interval(secs => $8) FROM within_limit
           RETURNING ${SESSION_COLUMNS}`,
  type: 'created',
  commitsAsynchronously: true,
};

/** pending → scanned, or a re-scan by the same phone (`markScanned`): $1 the id, $2 the ticket's hash, $3 its lifetime. */
const SCAN: TransitionShape = {
  change: `UPDATE qr_sessions
              SET status = 'scanned',
                  scanned_at = COALESCE(scanned_at, now()),
                  scanned_by_account_id = caller.account_id,
                  scanned_by_device_id = caller.device_id,
                  scan_ticket_hash = $2,
                  scan_ticket_expires_at = LEAST(now() + make_interval(secs => $3), expires_at),
                  scan_ticket_used_at = NULL
             FROM caller
            WHERE id = $1
              AND expires_at > now()
              AND (status = 'pending'
                   OR (status = 'scanned' AND scanned_by_account_id = caller.account_id
                       AND scanned_by_device_id = caller.device_id))
           RETURNING ${SESSION_COLUMNS}, qr_sessions.scanned_at = now() AS "firstScan"`,
  type: 'scanned',
  commitsAsynchronously: true,
  checksCaller: true,
  recordWhen: 'changed."firstScan"',
};

/** scanned → rejected (`markRejected`): $1 the id, $2 the ticket's hash. */
const REJECT: TransitionShape = {
  change: `UPDATE qr_sessions SET status = 'rejected', rejected_at = now(), scan_ticket_used_at = now()
             FROM caller
            WHERE id = $1 AND ${ticketHolds(2)}
           RETURNING ${SESSION_COLUMNS}`,
  type: 'rejected',
  checksCaller: true,
};

/**
 * scanned → confirmed (`markConfirmed`): $1 the id, $2 the ticket's hash, $3 the desktop token's id, $4 a new device
 * row's id, $5 and $6 the token's issue and expiry, $7 the alert's time, $8 the phone's own device id.
 */
const CONFIRM: TransitionShape = {
  change: `UPDATE qr_sessions
              SET status = 'confirmed', confirmed_at = now(), scan_ticket_used_at = now(), login_token_id = $3
             FROM caller
            WHERE id = $1 AND ${ticketHolds(2)}
           RETURNING ${SESSION_COLUMNS}`,
  type: 'confirmed',
  checksCaller: true,
  moreCtes: `desktop AS (
      INSERT INTO devices (id, account_id, client_device_id, type, name, created_at, last_seen_at, signed_out_at)
      SELECT $4::uuid, changed."scannedByAccountId", changed."desktopClientDeviceId", changed."desktopDeviceType",
             changed."desktopDeviceName", now(), now(), NULL
        FROM changed
       WHERE changed."desktopClientDeviceId" <> $8::varchar
      ON CONFLICT (account_id, client_device_id) DO UPDATE
         SET name = COALESCE(EXCLUDED.name, devices.name), last_seen_at = now(), signed_out_at = NULL
       WHERE devices.type = EXCLUDED.type
      RETURNING id, client_device_id, type, name
    ), token AS (
      INSERT INTO access_tokens (id, account_id, device_id, grant_type, issued_at, expires_at)
      SELECT $3::uuid, changed."scannedByAccountId", desktop.id, 'qr', $5::timestamptz, $6::timestamptz FROM changed, desktop
      RETURNING id
    ), alert AS (
      SELECT json_build_object(
               'eventId', $3::text, 'accountId', changed."scannedByAccountId"::text,
               'alert', json_build_object(
                 'method', 'qr', 'at', $7::text,
                 'device', json_build_object('id', desktop.client_device_id, 'type', desktop.type, 'name', desktop.name),
                 'ip', changed."desktopIp", 'userAgent', changed."desktopUserAgent", 'approvedBy', $8::text))::text AS message
        FROM changed, desktop
    )`,
  moreColumns: `desktop.id AS "signedInRowId", desktop.client_device_id AS "signedInDeviceId",
                desktop.type AS "signedInDeviceType", desktop.name AS "signedInDeviceName", alert.message AS alert`,
  moreJoins: 'LEFT JOIN desktop ON true LEFT JOIN alert ON true',
  alsoNotifies: { channel: SIGN_IN_ALERTS_CHANNEL, message: 'alert.message', as: 'alertSent' },
};

/**
 * pending|scanned → cancelled by the holder of the secret (`markCancelled`): $1 the id, $2 the secret's hash. Past the
 * rate limit counted in the same statement, `within_limit` is empty and nothing changes.
 */
const CANCEL: TransitionShape = {
  change: `UPDATE qr_sessions SET status = 'cancelled', cancelled_at = now()
             FROM within_limit
            WHERE id = $1 AND secret_hash = $2 AND status IN ('pending', 'scanned') AND expires_at > now()
           RETURNING ${SESSION_COLUMNS}`,
  type: 'cancelled',
  // The desktop's device id is the session's own, read from the row: the request only proved the secret.
  clientDeviceIdSql: 'changed."desktopClientDeviceId"',
};

/** pending|scanned → expired once `expires_at` has passed (`markExpired`): $1 the id. */
const EXPIRE: TransitionShape = {
  change: `UPDATE qr_sessions SET status = 'expired', expired_at = now()
            WHERE id = $1 AND status IN ('pending', 'scanned') AND expires_at <= now()
           RETURNING ${SESSION_COLUMNS}`,
  type: 'expired',
};

/**
 * The QR session aggregate's storage. Every transition is ONE statement: a conditional UPDATE whose WHERE clause
 * carries the whole precondition (status, expiry, ticket, scanner), so that of any number of concurrent requests
 * exactly one changes the row (the others change nothing, and the service explains why), together with its audit row
 * and the `pg_notify` that publishes it, in common table expressions. A transition that checks its request (the
 * phone's token, the rate limit) does so in the same statement, and acts only if the request passes. One statement commits as one, so no
 * explicit transaction is needed: the change, its audit row and its event exist together or not at all.
 */
@Injectable()
export class QrSessionsRepository {
  /** Whether the shapes that may commit asynchronously do (QR_ASYNC_COMMIT). */
  private readonly asyncCommit: boolean;

  constructor(
    private readonly dataSource: DataSource,
    config: AppConfigService,
  ) {
    this.asyncCommit = config.qrAsyncCommit;
  }

  /**
   * A new pending session, recorded (`created`) and published. With `counter`, the request is counted on its rate
   * limit by the same statement, which inserts nothing past it.
   */
  insert(session: NewQrSession, ttlSeconds: number, publishing: Publishing, counter?: CounterHit): Promise<CheckedTransition<Transition>> {
    const parameters = [
      session.id,
      session.secretHash,
      session.desktopClientDeviceId,
      session.desktopDeviceType,
      session.desktopDeviceName,
      session.desktopIp,
      session.desktopUserAgent,
      ttlSeconds,
    ];
    const actor = { ip: session.desktopIp, userAgent: session.desktopUserAgent, clientDeviceId: session.desktopClientDeviceId };
    return this.checkedTransition(CREATE, { parameters, actor, counter }, publishing);
  }

  async findById(id: string): Promise<QrSessionRow | null> {
    const rows = await preparedQuery<QrSessionRow>(this.dataSource, `SELECT ${SESSION_COLUMNS} FROM qr_sessions WHERE id = $1`, [id]);
    return rows[0] ?? null;
  }

  /** The session with the scanner's display name and, once confirmed, the desktop's token: one query. */
  async findView(id: string): Promise<QrSessionView | null> {
    const [row] = await preparedQuery<Record<string, unknown>>(this.dataSource, VIEW, [id]);
    return row ? viewOf(row) : null;
  }

  /**
   * The same, and in the same statement counts the request on its rate-limit counter (`key`, of `windowSeconds`):
   * one round trip for both. Answers the counter as the hit left it, whether or not the session exists.
   */
  async findCountedView(id: string, counter: { key: string; windowSeconds: number }): Promise<{ view: QrSessionView | null; counter: CounterState }> {
    const [row] = await preparedQuery<Record<string, unknown> & CounterRow>(this.dataSource, COUNTED_VIEW, [id, counter.key, counter.windowSeconds]);
    // No session: the LEFT JOIN leaves its columns null, and the counter is answered all the same.
    return { view: row.id ? viewOf(row) : null, counter: counterStateOf(row) };
  }

  /**
   * pending → scanned, or a fresh ticket for the same account and device re-scanning. `scanned_at` keeps the first
   * scan's time: only the first scan is recorded and published (the desktop has already been told of a re-scan).
   */
  markScanned(
    id: string,
    caller: CallerCheck,
    counter: CounterHit | undefined,
    ticket: { hash: string; ttlSeconds: number },
    actor: AuditActor,
    publishing: Publishing,
  ): Promise<CheckedTransition<Transition>> {
    return this.checkedTransition(SCAN, { parameters: [id, ticket.hash, ticket.ttlSeconds], actor, caller, counter }, publishing);
  }

  /** scanned → rejected, spending the scan ticket (see {@link ticketHolds}). */
  markRejected(
    id: string,
    caller: CallerCheck,
    counter: CounterHit | undefined,
    ticketHash: string,
    actor: AuditActor,
    publishing: Publishing,
  ): Promise<CheckedTransition<Transition>> {
    return this.checkedTransition(REJECT, { parameters: [id, ticketHash], actor, caller, counter }, publishing);
  }

  /**
   * scanned → confirmed, spending the scan ticket, and in the same statement: the desktop's device row for the
   * scanner's account (created, or refreshed when the account already has it), the desktop's token, the audit row,
   * and the publication of both the change and the sign-in alert (threat 7).
   *
   * The account may already have that device id with another type (a desktop claiming the id of the account's phone):
   * then the device upsert changes nothing, no token is inserted, and the session's `login_token_id` points at a token
   * that does not exist, which the foreign key refuses at the end of the statement. The statement fails as a whole
   * and the session stays scanned; the service answers that failure with `forbidden`. The confirming phone's own id
   * is left out of the upsert before it runs, with the same outcome: this statement may also note that row as seen,
   * and PostgreSQL leaves the order of two changes of one row in one statement undefined.
   */
  async markConfirmed(id: string, plan: ConfirmPlan, publishing: Publishing): Promise<CheckedTransition<Confirmation>> {
    const parameters = [
      id,
      plan.ticketHash,
      plan.token.id,
      plan.newDeviceRowId,
      plan.token.issuedAt,
      plan.token.expiresAt,
      plan.alertAt,
      plan.phoneDeviceId,
    ];
    const request = { parameters, actor: plan.actor, caller: plan.caller, counter: plan.counter };
    const checked = await this.checkedTransition(CONFIRM, request, publishing);
    if (!checked.done) return { ...checked, done: null };
    const { session, message, extra } = checked.done;
    const confirmation: Confirmation = {
      session,
      message,
      account: { id: session.scannedByAccountId!, username: session.scannedByUsername!, displayName: session.scannedByDisplayName! },
      desktop: {
        rowId: extra.signedInRowId as string,
        id: extra.signedInDeviceId as string,
        type: extra.signedInDeviceType as DeviceType,
        name: (extra.signedInDeviceName as string | null) ?? null,
      },
      alert: JSON.parse(extra.alert as string) as Confirmation['alert'],
    };
    return { ...checked, done: confirmation };
  }

  /**
   * pending|scanned → cancelled, by the holder of the secret (its hash must match), before expiry. With `counter`, the
   * request is counted on its rate limit by this statement, which changes nothing past the limit.
   */
  markCancelled(
    id: string,
    secretHash: string,
    actor: AuditActor,
    publishing: Publishing,
    counter?: CounterHit,
  ): Promise<CheckedTransition<Transition>> {
    return this.checkedTransition(CANCEL, { parameters: [id, secretHash], actor, counter }, publishing);
  }

  /** pending|scanned → expired, once `expires_at` has passed. */
  markExpired(id: string, publishing: Publishing): Promise<Transition | null> {
    return this.transition(EXPIRE, { parameters: [id], actor: { ip: null, userAgent: null } }, publishing);
  }

  /** For a caller that writes more with a transition: rows of its own, or the bus's outbox (a NOTIFY waits for the commit). */
  transaction<T>(work: (manager: EntityManager) => Promise<T>): Promise<T> {
    return this.dataSource.transaction(work);
  }

  /** Open sessions whose time is up, oldest first. */
  async findDueForExpiry(limit: number): Promise<string[]> {
    const rows = await preparedQuery<{ id: string }>(
      this.dataSource,
      `SELECT id FROM qr_sessions
        WHERE status IN ('pending', 'scanned') AND expires_at <= now()
        ORDER BY expires_at
        LIMIT $1`,
      [limit],
    );
    return rows.map((row) => row.id);
  }

  /**
   * Deletes the finished sessions created more than `days` ago, and their audit rows by cascade; answers how many, or
   * undefined when another process is doing it at this moment (a transaction-scoped advisory lock: one at a time, so
   * rows are deleted once and no two processes scan the table together).
   */
  deleteFinishedOlderThan(days: number): Promise<number | undefined> {
    return this.dataSource.transaction(async (manager) => {
      const [{ locked }] = await manager.query('SELECT pg_try_advisory_xact_lock($1) AS locked', [RETENTION_LOCK]);
      if (!locked) return undefined;
      const [{ deleted }]: Array<{ deleted: number }> = await manager.query(
        `WITH gone AS (
           DELETE FROM qr_sessions
            WHERE status NOT IN ('pending', 'scanned')
              AND created_at < now() - make_interval(days => $1)
           RETURNING 1
         )
         SELECT count(*)::int AS deleted FROM gone`,
        [days],
      );
      return deleted;
    });
  }

  /**
   * Runs a transition as one statement: `changed` (the shape's INSERT or UPDATE), `event` (its audit row, when
   * `recordWhen` holds), `message` (what is published), the shape's own expressions, and the `pg_notify` of the
   * change when the bus takes it from SQL (see {@link transitionSql}).
   */
  private async transition(shape: TransitionShape, request: TransitionRequest, publishing: Publishing): Promise<TransitionRow | null> {
    const [row] = await this.run(shape, request, publishing);
    return row ? transitionOf(row) : null;
  }

  /**
   * The same for a transition whose statement also checks its request: the phone's token (`request.caller`), the
   * rate limit (`request.counter`). It answers one row whether or not it acted, with what it read of both.
   */
  private async checkedTransition(
    shape: TransitionShape,
    request: TransitionRequest,
    publishing: Publishing,
  ): Promise<CheckedTransition<TransitionRow>> {
    if (!request.caller && !request.counter) {
      return { done: await this.transition(shape, request, publishing), token: null, counter: null };
    }
    const [row] = await this.run(shape, request, publishing);
    return {
      done: row.id ? transitionOf(row) : null,
      token: request.caller ? presentedTokenStateOf(row) : null,
      counter: request.counter ? counterStateOf(row as unknown as CounterRow) : null,
    };
  }

  private run(shape: TransitionShape, request: TransitionRequest, publishing: Publishing): Promise<Array<Record<string, unknown>>> {
    const way: Way = {
      counted: Boolean(request.counter),
      notify: publishing.notifyInStatement,
      asynchronous: Boolean(shape.commitsAsynchronously) && this.asyncCommit,
    };
    return preparedQuery(publishing.manager ?? this.dataSource, ...transitionSql(shape, request, way));
  }
}

/** A transition's row: the session, its published message, and the statement's other columns (`extra`). */
type TransitionRow = Transition & { extra: Record<string, unknown> };

/** A transition's statement for one way of running it: its text, and where each value after the change's own comes from. */
interface TransitionText {
  text: string;
  parameterCount: number;
  values: Array<(request: TransitionRequest) => unknown>;
}

/**
 * How a transition's statement runs besides its shape: whether it counts a rate-limit hit, publishes with `pg_notify`,
 * and commits asynchronously. Each way has a text of its own.
 */
interface Way {
  counted: boolean;
  notify: boolean;
  asynchronous: boolean;
}

/** The statements built so far, by shape and way of running (see {@link transitionSql}). */
const transitionTexts = new WeakMap<TransitionShape, Array<TransitionText | undefined>>();

/**
 * The text and values of a transition's statement. The text depends only on the shape and the way it runs: it is
 * built once for each (the same string every time, which is also what names the prepared statement) and only the
 * values are read from the request.
 */
function transitionSql(shape: TransitionShape, request: TransitionRequest, way: Way): [string, unknown[]] {
  if (Boolean(shape.checksCaller) !== Boolean(request.caller))
    throw new Error(`a ${shape.type} transition checks a caller if, and only if, its shape does`);
  let texts = transitionTexts.get(shape);
  if (!texts) transitionTexts.set(shape, (texts = []));
  const index = (way.counted ? 1 : 0) + (way.notify ? 2 : 0) + (way.asynchronous ? 4 : 0);
  const statement = (texts[index] ??= transitionText(shape, request.parameters.length, way));
  if (request.parameters.length !== statement.parameterCount)
    throw new Error(`a ${shape.type} transition takes ${statement.parameterCount} parameters`);
  return [statement.text, [...request.parameters, ...statement.values.map((value) => value(request))]];
}

/** Builds a transition's statement: the checks, the change, its audit row and message, and what it answers. */
function transitionText(shape: TransitionShape, parameterCount: number, { counted, notify, asynchronous }: Way): TransitionText {
  const values: TransitionText['values'] = [];
  const parameter = (value: (request: TransitionRequest) => unknown, sqlType: string) => {
    values.push(value);
    return `$${parameterCount + values.length}::${sqlType}`;
  };
  const caller = shape.checksCaller;
  // What the request must pass for the change to be made. `within_limit` has its one row only if the hit counted here
  // is within its limit (always, when nothing is counted); `caller` has the phone token's account and device only if
  // the token stands and the request is within its limit. A change that a request may be refused joins one of them.
  const checks = counted
    ? [
        countedCte(
          parameter((request) => request.counter!.key, 'text'),
          parameter((request) => request.counter!.windowSeconds, 'int'),
        ),
        `within_limit AS (SELECT FROM counted WHERE counted.hits <= ${parameter((request) => request.counter!.limit, 'int')})`,
      ]
    : ['within_limit AS (SELECT)'];
  if (caller) {
    checks.push(
      presentedTokenCtes(parameter((request) => request.caller!.tokenId, 'uuid')),
      `caller AS (
        SELECT presented_token.account_id, presented_token.device_id FROM presented_token, within_limit
         WHERE ${presentedTokenStands(parameter((request) => request.caller!.accountId, 'text'))}
      )`,
    );
  }
  const notifications = notify
    ? [
        `CASE WHEN message.text IS NOT NULL THEN pg_notify('${QR_EVENTS_CHANNEL}', message.text) END AS "changeSent"`,
        ...(shape.alsoNotifies
          ? [
              `CASE WHEN ${shape.alsoNotifies.message} IS NOT NULL THEN pg_notify('${shape.alsoNotifies.channel}', ${shape.alsoNotifies.message}) END AS "${shape.alsoNotifies.as}"`,
            ]
          : []),
      ]
    : [];
  const text = `WITH ${checks.join(',\n')}, changed AS (${shape.change}),
      event AS (
        INSERT INTO qr_session_events (qr_session_id, type, ip, user_agent, account_id, device_id, client_device_id)
        SELECT changed."id", ${parameter(() => shape.type, 'qr_session_event_type')}, ${parameter((request) => request.actor.ip, 'inet')},
               ${parameter((request) => request.actor.userAgent, 'text')},
               ${caller ? 'caller.account_id' : parameter((request) => request.actor.accountId ?? null, 'uuid')},
               ${caller ? 'caller.device_id' : parameter((request) => request.actor.deviceId ?? null, 'uuid')},
               ${shape.clientDeviceIdSql ?? parameter((request) => request.actor.clientDeviceId ?? null, 'varchar')}
          FROM changed ${caller ? ', caller' : ''} ${shape.recordWhen ? `WHERE ${shape.recordWhen}` : ''}
        RETURNING id, type
      ), message AS (
        SELECT ${CHANGE_MESSAGE_SQL} AS text FROM changed, event
      )${shape.moreCtes ? `, ${shape.moreCtes}` : ''}
      SELECT changed.*, message.text AS "changeMessage"
             ${shape.moreColumns ? `, ${shape.moreColumns}` : ''}
             ${notifications.map((column) => `, ${column}`).join(' ')}
             ${caller ? `, ${PRESENTED_TOKEN_COLUMNS}` : ''} ${counted ? ', counted.hits, counted.reset_in' : ''}
             ${
               // Lasts until the end of the statement's own transaction, whose commit then does not wait for the WAL
               // flush. In the select list, so that it runs with the statement: a CTE that nothing reads would not.
               asynchronous ? `, set_config('synchronous_commit', 'off', true) AS "asyncCommit"` : ''
             }
        FROM ${
          // A statement that checks its request answers one row even when it changed nothing, with what it read.
          caller || counted
            ? `(SELECT) AS request ${caller ? 'LEFT JOIN presented_token ON true' : ''} ${counted ? 'CROSS JOIN counted' : ''}
               LEFT JOIN changed ON true`
            : 'changed'
        }
             LEFT JOIN message ON true ${shape.moreJoins ?? ''}`;
  return { text, parameterCount, values };
}

const SESSION_ROW_FIELD_SET: ReadonlySet<string> = new Set(SESSION_ROW_FIELDS);

/** Splits a transition's row into the session, its published message and the statement's other columns. */
function transitionOf(row: Record<string, unknown>): TransitionRow {
  const session: Record<string, unknown> = {};
  const extra: Record<string, unknown> = {};
  for (const column in row) (SESSION_ROW_FIELD_SET.has(column) ? session : extra)[column] = row[column];
  const message = extra.changeMessage as string | null;
  return {
    session: session as unknown as QrSessionRow,
    ...(message ? { message: JSON.parse(message) as QrSessionChangeMessage } : {}),
    extra,
  };
}

/**
 * The conditions under which a scan ticket (its hash at parameter position `ticketHash`) may be spent: by the phone
 * that scanned, which is the `caller` of the statement.
 */
function ticketHolds(ticketHash: number): string {
  return `status = 'scanned'
      AND expires_at > now()
      AND scan_ticket_hash = $${ticketHash}
      AND scan_ticket_expires_at > now()
      AND scan_ticket_used_at IS NULL
      AND scanned_by_account_id = caller.account_id
      AND scanned_by_device_id = caller.device_id`;
}
