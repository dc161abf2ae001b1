import { Injectable, Logger, OnModuleDestroy, OnModuleInit } from '@nestjs/common';
import type { QrEventType, QrSessionSnapshot, QrStatus } from '@app/contract';
import { EventBus, RecentKeys } from '@app/events';
import { isChangeMessage, QR_EVENTS_CHANNEL, type QrSessionChangeMessage } from './qr-session-change';
import { QrSnapshots } from './qr-snapshots';

/** A committed change as this process's listeners receive it. */
export interface QrSessionChange {
  type: QrEventType;
  /** The audit row's id: the same change heard twice has the same one. */
  eventId: string;
  id: string;
  status: QrStatus;
  expiresAt: string;
  /** Epoch milliseconds at which the transition was published (see QrSessionChangeMessage). */
  publishedAt?: number;
  /**
   * The snapshot to deliver. In the process that made the change it is at hand (with `login` for `confirmed`); in the
   * others, `confirmed` is read once (for its `login`) however many listeners ask.
   */
  snapshot(): Promise<QrSessionSnapshot>;
  /** The same snapshot when it is at hand without waiting (always, except a `confirmed` made by another process). */
  ready?: QrSessionSnapshot;
}

type Listener = (change: QrSessionChange) => void;

/** A message as this process's own listeners get it: with the full snapshot, which never travels through the bus. */
interface LocalChangeMessage extends QrSessionChangeMessage {
  local?: true;
  localSnapshot?: QrSessionSnapshot;
}

const LOAD_ATTEMPTS = 3;

/**
 * Turns the bus's raw messages into {@link QrSessionChange}s for in-process listeners: the Socket.IO gateway, the
 * long-poll waiters and the expiry scheduler.
 */
@Injectable()
export class QrSessionChanges implements OnModuleInit, OnModuleDestroy {
  private readonly logger = new Logger(QrSessionChanges.name);
  private readonly listeners = new Set<Listener>();
  /** Changes already delivered here: each arrives twice in the process that made it (at once, then from the bus, if it travels). */
  private readonly delivered = new RecentKeys();
  /** Sessions whose confirmation this process is committing, with the bus's copy if it came before the local one. */
  private readonly inConfirmation = new Map<string, { early?: LocalChangeMessage }>();
  private unsubscribe: (() => void) | undefined;

  constructor(
    private readonly bus: EventBus,
    private readonly snapshots: QrSnapshots,
  ) {}

  onModuleInit(): void {
    this.unsubscribe = this.bus.subscribe(QR_EVENTS_CHANNEL, (payload) => this.deliver(payload));
  }

  onModuleDestroy(): void {
    this.unsubscribe?.();
  }

  subscribe(listener: Listener): () => void {
    this.listeners.add(listener);
    return () => this.listeners.delete(listener);
  }

  /**
   * A change that has committed (and was published): this process's listeners get it before this returns, so the
   * desktop's socket or long-poll is written before the reply to the phone. `snapshot` is the full one (with `login`),
   * for this process only.
   */
  deliverLocally(message: QrSessionChangeMessage, snapshot?: QrSessionSnapshot): void {
    const local: LocalChangeMessage = { ...message, local: true, localSnapshot: snapshot };
    this.bus.deliverLocally(QR_EVENTS_CHANNEL, local);
  }

  /**
   * Runs `work`, a confirmation of session `id` that delivers its change locally when it commits. Its copy through the
   * bus carries no token, so a listener would read it from the database; if that copy arrives first (the bus
   * can be faster than the statement's own reply), it is held back until `work` ends: the local copy makes it
   * needless, and if none came (the work failed after the commit), the held copy is delivered then. When changes do not
   * travel there is no such copy: the work itself delivers once it committed, whatever fails after.
   */
  async confirming<T>(id: string, work: () => Promise<T>): Promise<T> {
    const entry: { early?: LocalChangeMessage } = {};
    this.inConfirmation.set(id, entry);
    try {
      return await work();
    } finally {
      if (this.inConfirmation.get(id) === entry) this.inConfirmation.delete(id);
      if (entry.early) this.deliver(entry.early);
    }
  }

  /**
   * Whether a change must travel through the bus to reach other processes at all. Not when none can hear it (the
   * bus is `alone`): {@link deliverLocally} reaches every listener there is, and a NOTIFY per transition would only
   * come back to this process to be dropped (a fifth of PostgreSQL's CPU per sign-in, docs/benchmarks.md).
   */
  get travels(): boolean {
    return !this.bus.alone;
  }

  /** Whether transitions publish from inside their SQL statement (`pg_notify`), when their changes travel. */
  get notifyInStatement(): boolean {
    return this.travels && this.bus.notifiesFromSql;
  }

  /**
   * Whether a transition publishes through the bus in a transaction of its own: when its change travels on a bus that
   * cannot take it from SQL (Redis, with its outbox).
   */
  get publishesInTransaction(): boolean {
    return this.travels && !this.bus.notifiesFromSql;
  }

  /** Called after the bus reconnected: changes may have been missed, so listeners re-read what they watch. */
  onResync(listener: () => void): () => void {
    return this.bus.onReconnect(listener);
  }

  /** The `confirmed` snapshot carries the desktop's token, read from the database; a passing failure is retried. */
  private async loadWithLogin(published: QrSessionSnapshot): Promise<QrSessionSnapshot> {
    for (let attempt = 1; ; attempt++) {
      try {
        return (await this.snapshots.load(published.id)) ?? published;
      } catch (error) {
        if (attempt >= LOAD_ATTEMPTS) throw error;
        this.logger.warn(`reading ${published.id} failed (attempt ${attempt}): ${(error as Error).message}`);
        await new Promise((resolve) => setTimeout(resolve, 100 * attempt));
      }
    }
  }

  private deliver(payload: unknown): void {
    if (!isChangeMessage(payload)) {
      this.logger.warn('ignored a malformed QR session change');
      return;
    }
    const { type, eventId, session, local, localSnapshot, publishedAt } = payload as LocalChangeMessage;
    const confirming = type === 'confirmed' ? this.inConfirmation.get(session.id) : undefined;
    if (confirming && !local) {
      confirming.early = payload;
      return;
    }
    // The bus's copy of a change this process already delivered is dropped. The other way round (the bus was
    // faster than the statement's reply), the local copy still goes out: it has the snapshot at hand, and
    // listeners ignore what does not move a session forward.
    if (!this.delivered.firstTime(eventId) && !local) return;
    const published = this.snapshots.ofMessage(session);
    let loaded: Promise<QrSessionSnapshot> | undefined;
    const at = localSnapshot ?? published;
    const ready = localSnapshot || type !== 'confirmed' ? at : undefined;
    const change: QrSessionChange = {
      ready,
      type,
      eventId,
      id: session.id,
      status: session.status,
      expiresAt: session.expiresAt,
      publishedAt: typeof publishedAt === 'number' ? publishedAt : undefined,
      snapshot: () => (ready ? Promise.resolve(ready) : (loaded ??= this.loadWithLogin(published))),
    };
    for (const listener of this.listeners) listener(change);
  }
}
