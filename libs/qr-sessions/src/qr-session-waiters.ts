import { Injectable, OnModuleDestroy, OnModuleInit } from '@nestjs/common';
import { statusRank, type QrStatus } from '@app/contract';
import { Drain } from '@app/lifecycle';
import { MetricsService } from '@app/metrics';
import { QrSessionChanges, type QrSessionChange } from './qr-session-changes';

/** How a wait ended. */
export type WaitOutcome = { kind: 'changed'; change: QrSessionChange } | { kind: 'timeout' } | { kind: 'resync' } | { kind: 'closed' };

interface Waiter {
  since: QrStatus;
  /** Set once the request's read found no change: from then on it is held, waiting for one. */
  holding: boolean;
  settle(outcome: WaitOutcome): void;
}

export interface Wait {
  outcome: Promise<WaitOutcome>;
  /** The request read the session after it started waiting and found no change: it is held now. */
  hold(): void;
  cancel(): void;
}

/**
 * Long-poll requests waiting for a session to change. A waiter is a promise in memory, woken by the same bus events
 * as the sockets: it holds no database connection and never re-queries while it waits.
 */
@Injectable()
export class QrSessionWaiters implements OnModuleInit, OnModuleDestroy {
  private readonly waiting = new Map<string, Set<Waiter>>();
  private readonly unsubscribes: Array<() => void> = [];

  constructor(
    private readonly changes: QrSessionChanges,
    private readonly metrics: MetricsService,
    private readonly drain: Drain,
  ) {}

  onModuleInit(): void {
    this.unsubscribes.push(this.metrics.countLongPolls(() => this.size));
    // Draining: every held long-poll is answered now, with the snapshot it has, so its client asks again elsewhere.
    this.unsubscribes.push(this.drain.onDrain(() => this.settleAll({ kind: 'closed' })));
    this.unsubscribes.push(
      this.changes.subscribe((change) => {
        for (const waiter of this.waiting.get(change.id) ?? []) {
          // Only a step forward wakes a waiter: a late notification of an older state must not answer it.
          if (statusRank(change.status) > statusRank(waiter.since)) waiter.settle({ kind: 'changed', change });
        }
      }),
      this.changes.onResync(() => this.settleAll({ kind: 'resync' })),
    );
  }

  /** Answers every waiter at shutdown so that no request hangs on a closing server. */
  onModuleDestroy(): void {
    this.unsubscribes.forEach((unsubscribe) => unsubscribe());
    this.settleAll({ kind: 'closed' });
  }

  /** Requests held, waiting for a change (a wait whose read is still out is not counted yet). */
  get size(): number {
    let count = 0;
    for (const set of this.waiting.values()) for (const waiter of set) if (waiter.holding) count++;
    return count;
  }

  /** Starts waiting for session `id` to leave status `since`, for at most `timeoutMs`. */
  wait(id: string, since: QrStatus, timeoutMs: number): Wait {
    let settle!: (outcome: WaitOutcome) => void;
    const outcome = new Promise<WaitOutcome>((resolve) => (settle = resolve));
    const waiter: Waiter = {
      since,
      holding: false,
      settle: (result) => {
        clearTimeout(timer);
        this.remove(id, waiter);
        settle(result);
      },
    };
    const timer = setTimeout(() => waiter.settle({ kind: 'timeout' }), timeoutMs);
    let set = this.waiting.get(id);
    if (!set) this.waiting.set(id, (set = new Set()));
    set.add(waiter);
    if (this.drain.isDraining) waiter.settle({ kind: 'closed' });
    return { outcome, hold: () => (waiter.holding = true), cancel: () => waiter.settle({ kind: 'closed' }) };
  }

  private remove(id: string, waiter: Waiter): void {
    const set = this.waiting.get(id);
    if (!set) return;
    set.delete(waiter);
    if (set.size === 0) this.waiting.delete(id);
  }

  private settleAll(outcome: WaitOutcome): void {
    for (const set of [...this.waiting.values()]) for (const waiter of [...set]) waiter.settle(outcome);
  }
}
