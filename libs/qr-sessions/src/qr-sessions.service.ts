import { Injectable, Logger } from '@nestjs/common';
import { randomUUID } from 'node:crypto';
import type { EntityManager } from 'typeorm';
import { DomainError, newPublicId, newSecret, secretMatchesHash, sha256Hex, type ClientInfo } from '@app/common';
import { AppConfigService } from '@app/config';
import { OPEN_STATUSES, isMobile, type DeviceType, type QrSessionSnapshot, type QrStatus, type ScanResult } from '@app/contract';
import { EventBus } from '@app/events';
import { MetricsService } from '@app/metrics';
import type { RateLimitHit } from '@app/rate-limits';
import { SignInAlerts } from '@app/sign-in-alerts';
import { TokensService, type PendingAuth } from '@app/tokens';
import { QR_EVENTS_CHANNEL } from './qr-session-change';
import { QrSessionChanges } from './qr-session-changes';
import type { AuditActor, CheckedTransition, NewQrSession, Publishing, QrSessionRow, QrSessionView, Transition } from './qr-session.records';
import { QrSessionsRepository, isDeviceClaim } from './qr-sessions.repository';
import { QrSnapshots } from './qr-snapshots';

export interface DesktopDevice {
  id: string;
  type: DeviceType;
  name?: string;
}

type Refused = 'scan' | 'decide' | 'cancel';

/** Finished by a client's decision, not by time: answered `qr_already_completed` (an expired one is `qr_expired`). */
const DECIDED: readonly QrStatus[] = ['confirmed', 'rejected', 'cancelled'];

/**
 * The QR login state machine (contract §3): pending → scanned → confirmed, scanned → rejected,
 * pending|scanned → cancelled | expired. Each transition, its audit row and its published event are one SQL statement
 * (see QrSessionsRepository); once it has committed, this process's own listeners hear of it at once.
 */
@Injectable()
export class QrSessionsService {
  private readonly logger = new Logger(QrSessionsService.name);

  constructor(
    private readonly sessions: QrSessionsRepository,
    private readonly snapshots: QrSnapshots,
    private readonly tokens: TokensService,
    private readonly changes: QrSessionChanges,
    private readonly bus: EventBus,
    private readonly alerts: SignInAlerts,
    private readonly config: AppConfigService,
    private readonly metrics: MetricsService,
  ) {}

  /**
   * A desktop asks for a session. The secret is answered once and kept only as its hash. With `hit`, the request is
   * counted on its rate limit by the statement that inserts, which inserts nothing past the limit.
   */
  async create(device: DesktopDevice, client: ClientInfo, hit?: RateLimitHit): Promise<{ session: QrSessionRow; secret: string }> {
    const secret = newSecret();
    const outcome = await this.transactChecked((publishing) =>
      this.sessions.insert(this.newSession(device, client, secret), this.config.qrTtlSeconds, publishing, hit),
    );
    if (hit && outcome.counter) hit.judge(outcome.counter);
    const created = outcome.done!;
    this.deliver(created);
    this.metrics.qrSessionCreated();
    return { session: created.session, secret };
  }

  /**
   * `create`, plus rows that another module keeps about the new session (the device grant's user code), written by
   * `attach` in the same transaction: they exist exactly when the session does, and if `attach` throws, nothing was
   * created and nothing was published.
   */
  async createAttached<T>(
    device: DesktopDevice,
    client: ClientInfo,
    attach: (manager: EntityManager, session: QrSessionRow) => Promise<T>,
  ): Promise<{ session: QrSessionRow; secret: string; attached: T }> {
    const secret = newSecret();
    let attached!: T;
    const created = await this.sessions.transaction(async (manager) => {
      const publishing = { notifyInStatement: this.changes.notifyInStatement, manager };
      const inserted = (await this.sessions.insert(this.newSession(device, client, secret), this.config.qrTtlSeconds, publishing)).done!;
      await this.publish(inserted, publishing);
      attached = await attach(manager, inserted.session);
      return inserted;
    });
    this.deliver(created);
    this.metrics.qrSessionCreated();
    return { session: created.session, secret, attached };
  }

  private newSession(device: DesktopDevice, client: ClientInfo, secret: string): NewQrSession {
    return {
      id: newPublicId(),
      secretHash: sha256Hex(secret),
      desktopClientDeviceId: device.id,
      desktopDeviceType: device.type,
      desktopDeviceName: device.name ?? null,
      desktopIp: client.ip,
      desktopUserAgent: client.userAgent,
    };
  }

  /** Whether a session exists, for the secret-free QR image endpoints. */
  async assertExists(id: string): Promise<void> {
    if (!(await this.sessions.findById(id))) throw this.notFound();
  }

  /**
   * The snapshot for the secret holder. A session past its time is expired on the spot, so no reader sees it open.
   * With `hit`, the request is counted on its rate limit by the statement that reads the session, and refused past it
   * before anything about the session.
   */
  async snapshotFor(id: string, secret: string | undefined, hit?: RateLimitHit): Promise<QrSessionSnapshot> {
    let view: QrSessionView | null;
    if (hit) {
      const found = await this.sessions.findCountedView(id, hit);
      hit.judge(found.counter);
      view = found.view;
    } else {
      view = await this.sessions.findView(id);
    }
    if (!view) throw this.notFound();
    this.assertSecret(view.session.secretHash, secret);
    if (this.isDue(view.session)) {
      await this.expire(id);
      view = (await this.sessions.findView(id)) ?? view;
    }
    return this.snapshots.ofView(view);
  }

  /** Checks the creation secret (the socket handshake and every desktop request). */
  async verifySecret(id: string, secret: string | undefined): Promise<void> {
    const session = await this.sessions.findById(id);
    if (!session) throw this.notFound();
    this.assertSecret(session.secretHash, secret);
  }

  /**
   * A signed-in phone scans: it gets a scan ticket bound to this session, its account and its device. The statement
   * that scans also checks the phone's token and counts its rate limit ({@link PendingAuth}).
   */
  async scan(id: string, caller: PendingAuth, client: ClientInfo): Promise<ScanResult> {
    await this.assertMobile(caller);
    const ticket = newSecret();
    const scanned = await this.actFor(caller, (publishing) =>
      this.sessions.markScanned(
        id,
        caller.token,
        caller.hit,
        { hash: sha256Hex(ticket), ttlSeconds: this.config.scanTicketTtlSeconds },
        actorOf(caller, client),
        publishing,
      ),
    );
    if (!scanned) throw await this.refusal(id, 'scan');
    this.deliver(scanned);
    const session = scanned.session;
    return {
      id: session.id,
      status: 'scanned',
      scanTicket: ticket,
      ticketExpiresAt: session.scanTicketExpiresAt!.toISOString(),
      requester: {
        device: { type: session.desktopDeviceType, name: session.desktopDeviceName },
        ip: session.desktopIp,
        userAgent: session.desktopUserAgent,
        createdAt: session.createdAt.toISOString(),
      },
    };
  }

  /**
   * The phone that scanned confirms: the desktop device gets its own token for the phone's account, and the account's
   * other devices hear of the sign-in. One statement, which also checks the phone's token and counts its rate limit;
   * the desktop's socket or long-poll is written before this returns.
   */
  async confirm(id: string, scanTicket: string, caller: PendingAuth, client: ClientInfo): Promise<{ id: string; status: 'confirmed' }> {
    await this.assertMobile(caller);
    const token = this.tokens.plan();
    await this.changes.confirming(id, async () => {
      let confirmed;
      try {
        confirmed = await this.actFor(
          caller,
          (publishing) =>
            this.sessions.markConfirmed(
              id,
              {
                caller: caller.token,
                counter: caller.hit,
                phoneDeviceId: caller.token.clientDeviceId,
                ticketHash: sha256Hex(scanTicket),
                newDeviceRowId: randomUUID(),
                token,
                alertAt: new Date().toISOString(),
                actor: actorOf(caller, client),
              },
              publishing,
            ),
          (done, manager) => this.alerts.publishMessage(manager, done.alert),
        );
      } catch (error) {
        // The statement failed as a whole, so the session stays scanned, nothing was issued, and the request was not
        // counted on its rate limit: it is counted now, and refused past the limit as any other.
        if (isDeviceClaim(error)) {
          await caller.hit?.countAlone();
          throw new DomainError('forbidden', 'The desktop claims the device id of another of your devices; do not confirm it.');
        }
        throw error;
      }
      if (!confirmed) throw await this.refusal(id, 'decide');
      // Committed: this process's listeners hear of it whatever happens next. Were the desktop's token not to be made
      // here, they would read it from the database, as other processes do; and when no other process can hear the bus,
      // this is the only copy of the change and of the sign-in alert.
      let snapshot: QrSessionSnapshot | undefined;
      try {
        const built = this.snapshots.of(confirmed.session);
        built.login = this.tokens.loginResult(token, { account: confirmed.account, device: confirmed.desktop });
        snapshot = built;
      } finally {
        this.deliver(confirmed, snapshot);
        this.alerts.deliverLocally(confirmed.alert);
      }
    });
    this.metrics.qrSessionFinished('confirmed');
    return { id, status: 'confirmed' };
  }

  async reject(id: string, scanTicket: string, caller: PendingAuth, client: ClientInfo): Promise<{ id: string; status: 'rejected' }> {
    await this.assertMobile(caller);
    const rejected = await this.actFor(caller, (publishing) =>
      this.sessions.markRejected(id, caller.token, caller.hit, sha256Hex(scanTicket), actorOf(caller, client), publishing),
    );
    if (!rejected) throw await this.refusal(id, 'decide');
    this.deliver(rejected);
    this.metrics.qrSessionFinished('rejected');
    return { id, status: 'rejected' };
  }

  /**
   * The desktop gives up on its session. With `hit`, the request is counted on its rate limit by the statement that
   * cancels (or on its own, without a secret to try), and refused past it before anything about the session.
   */
  async cancel(id: string, secret: string | undefined, client: ClientInfo, hit?: RateLimitHit): Promise<QrSessionSnapshot> {
    const outcome = secret
      ? await this.transactChecked((publishing) =>
          this.sessions.markCancelled(id, sha256Hex(secret), { ip: client.ip, userAgent: client.userAgent }, publishing, hit),
        )
      : undefined;
    if (hit) {
      if (outcome?.counter) hit.judge(outcome.counter);
      else await hit.countAlone();
    }
    const cancelled = outcome?.done;
    if (!cancelled) {
      // Explain the refusal: an unknown session or a wrong secret first, as when the secret was checked beforehand.
      await this.verifySecret(id, secret);
      throw await this.refusal(id, 'cancel');
    }
    this.deliver(cancelled);
    this.metrics.qrSessionFinished('cancelled');
    return this.snapshots.of(cancelled.session);
  }

  /** Ends a session whose time is up. Safe to call from every process at once: one of them does it. */
  async expire(id: string): Promise<boolean> {
    const expired = await this.transact((publishing) => this.sessions.markExpired(id, publishing));
    if (expired) {
      this.deliver(expired);
      this.metrics.qrSessionFinished('expired');
    }
    return expired !== null;
  }

  /** Expires every open session whose time is up, batch after batch; answers how many this process expired. */
  async expireDue(batchSize = 100): Promise<number> {
    let expired = 0;
    for (;;) {
      const due = await this.sessions.findDueForExpiry(batchSize);
      for (const id of due) if (await this.expire(id)) expired++;
      if (due.length < batchSize) return expired;
    }
  }

  /**
   * Runs a transition so that its change and its event commit together: as one statement that notifies by itself
   * (PostgreSQL's bus), or else in a transaction that also publishes through the bus (`also` publishes more). When
   * no other process can hear the bus, the statement runs alone and {@link deliver} tells this process's listeners.
   */
  private async transact<T extends Transition>(
    run: (publishing: Publishing) => Promise<T | null>,
    also?: (done: T, manager: EntityManager) => Promise<void>,
  ): Promise<T | null> {
    if (!this.changes.publishesInTransaction) return run({ notifyInStatement: this.changes.notifyInStatement });
    return this.sessions.transaction(async (manager) => {
      const publishing = { notifyInStatement: false, manager };
      const done = await run(publishing);
      if (done) {
        await this.publish(done, publishing);
        await also?.(done, manager);
      }
      return done;
    });
  }

  /**
   * Runs a phone's transition, whose statement checks the phone's token and counts its rate limit as it acts. Answers
   * what it did; if it did not act, throws `rate_limited` or the token's refusal when either was the reason, and
   * answers null when the session itself refused (the caller explains why).
   */
  private async actFor<T extends Transition>(
    caller: PendingAuth,
    run: (publishing: Publishing) => Promise<CheckedTransition<T>>,
    also?: (done: T, manager: EntityManager) => Promise<void>,
  ): Promise<T | null> {
    const outcome = await this.transactChecked(run, also);
    if (!outcome.done) this.tokens.explainRefusal(caller, outcome);
    return outcome.done;
  }

  /** {@link transact} for a transition whose statement also checks its request, answering what that statement read. */
  private async transactChecked<T extends Transition>(
    run: (publishing: Publishing) => Promise<CheckedTransition<T>>,
    also?: (done: T, manager: EntityManager) => Promise<void>,
  ): Promise<CheckedTransition<T>> {
    let outcome!: CheckedTransition<T>;
    await this.transact(async (publishing) => {
      outcome = await run(publishing);
      return outcome.done;
    }, also);
    return outcome;
  }

  /** Publishes a transition's change through the bus, in its transaction, when the statement could not (see transact). */
  private async publish(transition: Transition, publishing: Publishing): Promise<void> {
    if (transition.message && this.changes.publishesInTransaction && publishing.manager) {
      await this.bus.publish(publishing.manager, QR_EVENTS_CHANNEL, transition.message);
    }
  }

  /** After a transition committed: this process's listeners hear of it now, the others through the bus. */
  private deliver(transition: Transition, snapshot?: QrSessionSnapshot): void {
    if (transition.message) this.changes.deliverLocally(transition.message, snapshot);
  }

  /** Why a conditional transition changed nothing, read after the fact. */
  private async refusal(id: string, action: Refused): Promise<DomainError> {
    const session = await this.sessions.findById(id);
    if (!session) return this.notFound();
    if (DECIDED.includes(session.status)) {
      return new DomainError('qr_already_completed', `This QR session is already ${session.status}.`);
    }
    if (session.status === 'expired' || this.isDue(session)) {
      if (this.isDue(session)) await this.expire(id).catch((error) => this.logger.warn(`expire ${id}: ${error}`));
      return new DomainError('qr_expired', 'This QR session has expired.');
    }
    if (action === 'scan') return new DomainError('qr_already_scanned', 'Another device has already scanned this QR code.');
    if (action === 'decide' && session.status === 'pending') {
      return new DomainError('qr_not_scanned', 'This QR session has not been scanned yet.');
    }
    if (action === 'decide') {
      return new DomainError('scan_ticket_invalid', "The scan ticket is unknown, expired, used, or not this device's.");
    }
    // A cancel that lost a race with another transition: the session is no longer open.
    return new DomainError('qr_already_completed', 'This QR session is no longer open.');
  }

  private isDue(session: Pick<QrSessionRow, 'status' | 'expiresAt'>): boolean {
    return OPEN_STATUSES.includes(session.status) && session.expiresAt.getTime() <= Date.now();
  }

  private assertSecret(hash: string, secret: string | undefined): void {
    if (!secret || !secretMatchesHash(secret, hash)) {
      throw new DomainError('qr_secret_invalid', 'The QR secret is missing or wrong.');
    }
  }

  /** Refuses a caller that is not a phone, once its token was checked (and its request counted) as for any other. */
  private async assertMobile(caller: PendingAuth): Promise<void> {
    if (isMobile(caller.token.deviceType)) return;
    await this.tokens.check(caller);
    throw new DomainError('forbidden', 'Only a phone (ios or android device) can do this.');
  }

  private notFound(): DomainError {
    return new DomainError('qr_not_found', 'No such QR session.');
  }
}

/** The audit row's actor of a phone's transition; its account and device are read by the statement (`caller`). */
function actorOf(caller: PendingAuth, client: ClientInfo): AuditActor {
  return { ip: client.ip, userAgent: client.userAgent, clientDeviceId: caller.token.clientDeviceId };
}
