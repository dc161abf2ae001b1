import type { QrEventType } from '@app/contract';
import { countedCte } from '@app/rate-limits';
import { SIGN_IN_ALERTS_CHANNEL } from '@app/sign-in-alerts';
import { PRESENTED_TOKEN_COLUMNS, presentedTokenCtes, presentedTokenStands } from '@app/tokens';
import { QR_EVENTS_CHANNEL, type QrSessionChangeMessage } from './qr-session-change';
import type { AuditActor, CallerCheck, CounterHit, QrSessionRow, Transition } from './qr-session.records';
import { CHANGE_MESSAGE_SQL, SESSION_COLUMNS, SESSION_ROW_FIELDS } from './qr-session.sql';

/**
 * The SQL of one kind of transition, written once (the constants below). Its statement's text is built from it once
 * for each way it runs (with or without a rate-limit counter, publishing from SQL or not) and then reused: a request
 * only fills in the values (see {@link transitionSql}).
 */
export interface TransitionShape {
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
export interface TransitionRequest {
  parameters: unknown[];
  /** Who caused the change. With `caller`, its account and device are the caller's, read by the statement. */
  actor: AuditActor;
  /** The phone's token, for a shape that `checksCaller`. */
  caller?: CallerCheck;
  /** The request's rate-limit hit, counted by the statement. */
  counter?: CounterHit;
}

/** A new pending session (`insert`): $1..$8 its id, secret's hash, desktop, and time to live in seconds. */
export const CREATE: TransitionShape = {
  change: `INSERT INTO qr_sessions (id, secret_hash, status, desktop_client_device_id, desktop_device_type,
                                    desktop_device_name, desktop_ip, desktop_user_agent, created_at, expires_at)
           SELECT $1, $2, 'pending', $3, $4, $5, $6, $7, now(), now() + make_interval(secs => $8) FROM within_limit
           RETURNING ${SESSION_COLUMNS}`,
  type: 'created',
  commitsAsynchronously: true,
};

/** pending → scanned, or a re-scan by the same phone (`markScanned`): $1 the id, $2 the ticket's hash, $3 its lifetime. */
export const SCAN: TransitionShape = {
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
export const REJECT: TransitionShape = {
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
export const CONFIRM: TransitionShape = {
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
export const CANCEL: TransitionShape = {
  change: `UPDATE qr_sessions SET status = 'cancelled', cancelled_at = now()
             FROM within_limit
            WHERE id = $1 AND secret_hash = $2 AND status IN ('pending', 'scanned') AND expires_at > now()
           RETURNING ${SESSION_COLUMNS}`,
  type: 'cancelled',
  // The desktop's device id is the session's own, read from the row: the request only proved the secret.
  clientDeviceIdSql: 'changed."desktopClientDeviceId"',
};

/** pending|scanned → expired once `expires_at` has passed (`markExpired`): $1 the id. */
export const EXPIRE: TransitionShape = {
  change: `UPDATE qr_sessions SET status = 'expired', expired_at = now()
            WHERE id = $1 AND status IN ('pending', 'scanned') AND expires_at <= now()
           RETURNING ${SESSION_COLUMNS}`,
  type: 'expired',
};

/** A transition's row: the session, its published message, and the statement's other columns (`extra`). */
export type TransitionRow = Transition & { extra: Record<string, unknown> };

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
export interface Way {
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
export function transitionSql(shape: TransitionShape, request: TransitionRequest, way: Way): [string, unknown[]] {
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
export function transitionOf(row: Record<string, unknown>): TransitionRow {
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
