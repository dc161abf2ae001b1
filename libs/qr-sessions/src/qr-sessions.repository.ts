import { Injectable } from '@nestjs/common';
import { DataSource, type EntityManager } from 'typeorm';
import { violatesConstraint } from '@app/common';
import { AppConfigService } from '@app/config';
import type { DeviceType } from '@app/contract';
import { preparedQuery } from '@app/database';
import { counterStateOf, type CounterRow, type CounterState } from '@app/rate-limits';
import { presentedTokenStateOf } from '@app/tokens';
import type {
  AuditActor,
  CallerCheck,
  CheckedTransition,
  Confirmation,
  ConfirmPlan,
  CounterHit,
  NewQrSession,
  Publishing,
  QrSessionRow,
  QrSessionView,
  Transition,
} from './qr-session.records';
import { COUNTED_VIEW, SESSION_COLUMNS, VIEW, viewOf } from './qr-session.sql';
import {
  CANCEL,
  CONFIRM,
  CREATE,
  EXPIRE,
  REJECT,
  SCAN,
  transitionOf,
  transitionSql,
  type TransitionRequest,
  type TransitionRow,
  type TransitionShape,
  type Way,
} from './qr-transitions.sql';

/**
 * Why a confirmation failed as a whole: the desktop claimed the device id of another device of the account, of another
 * type, so its upsert made no device and the login token's foreign key found none.
 */
export function isDeviceClaim(error: unknown): boolean {
  return violatesConstraint(error, '23503', 'fk_qr_sessions_login_token');
}

/** The advisory lock that makes one process at a time delete old sessions. */
const RETENTION_LOCK = 72_519_101;

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
