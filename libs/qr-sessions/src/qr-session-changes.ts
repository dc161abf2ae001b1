import { Injectable, Logger, OnModuleDestroy, OnModuleInit } from '@nestjs/common';
import type { QrSessionSnapshot, QrStatus } from '@app/contract';
import { EventBus } from '@app/events';
import { isChangeMessage, QR_EVENTS_CHANNEL } from './qr-session-change';
import type { QrSessionEventType } from './qr-session-event.entity';
import { QrSnapshots } from './qr-snapshots';

/** A committed change as this process's listeners receive it. */
export interface QrSessionChange {
  type: QrSessionEventType;
  id: string;
  status: QrStatus;
  expiresAt: string;
  /** Epoch milliseconds at which the transition was published (see QrSessionChangeMessage). */
  publishedAt?: number;
  /** The snapshot to deliver; for `confirmed` it is read once (with `login`) however many listeners ask. */
  snapshot(): Promise<QrSessionSnapshot>;
}

type Listener = (change: QrSessionChange) => void;

const LOAD_ATTEMPTS = 3;

/**
 * Turns the bus's raw messages into {@link QrSessionChange}s for in-process listeners: the Socket.IO gateway, the
 * long-poll waiters and the expiry scheduler.
 */
@Injectable()
export class QrSessionChanges implements OnModuleInit, OnModuleDestroy {
  private readonly logger = new Logger(QrSessionChanges.name);
  private readonly listeners = new Set<Listener>();
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
    const { type, snapshot, publishedAt } = payload;
    let loaded: Promise<QrSessionSnapshot> | undefined;
    const change: QrSessionChange = {
      type,
      id: snapshot.id,
      status: snapshot.status,
      expiresAt: snapshot.expiresAt,
      publishedAt: typeof publishedAt === 'number' ? publishedAt : undefined,
      snapshot: () => (type === 'confirmed' ? (loaded ??= this.loadWithLogin(snapshot)) : Promise.resolve(snapshot)),
    };
    for (const listener of this.listeners) listener(change);
  }
}
