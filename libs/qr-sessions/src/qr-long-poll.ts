import { Injectable } from '@nestjs/common';
import { DomainError } from '@app/common';
import type { QrSessionSnapshot, QrStatus } from '@app/contract';
import { Drain } from '@app/lifecycle';
import { MetricsService } from '@app/metrics';
import type { RateLimitHit } from '@app/rate-limits';
import { EventBus } from '@app/events';
import { QrSessionWaiters } from './qr-session-waiters';
import { QrSessionsService } from './qr-sessions.service';

/**
 * `GET /api/qr-sessions/:id?wait=&since=` (contract §3): answers at once when the status differs from `since`,
 * otherwise when it changes or `wait` runs out, whichever is first. `hit` is the request's rate limit, left uncounted
 * by the global guard (the route is marked `RateLimitCountedByRoute`).
 */
@Injectable()
export class QrLongPoll {
  constructor(
    private readonly sessions: QrSessionsService,
    private readonly waiters: QrSessionWaiters,
    private readonly metrics: MetricsService,
    private readonly bus: EventBus,
    private readonly drain: Drain,
  ) {}

  async watch(
    id: string,
    secret: string | undefined,
    since: QrStatus | undefined,
    waitSeconds: number | undefined,
    abort: AbortSignal,
    hit?: RateLimitHit,
  ): Promise<QrSessionSnapshot> {
    // A plain read counts its rate limit in the statement that reads; a long-poll, which may read several times, first.
    if (since === undefined || !waitSeconds) return this.sessions.snapshotFor(id, secret, hit);
    await hit?.countAlone();
    // A process that is shutting down holds no new request: the client retries, and reaches another process.
    if (this.drain.isDraining) throw new DomainError('service_unavailable', 'This server is shutting down; ask again.', 1);
    const deadline = Date.now() + waitSeconds * 1000;
    for (;;) {
      // Wait first, read second: a change that commits between the two still wakes this request.
      const wait = this.waiters.wait(id, since, Math.max(0, deadline - Date.now()));
      const onAbort = () => wait.cancel();
      abort.addEventListener('abort', onAbort, { once: true });
      try {
        const current = await this.sessions.snapshotFor(id, secret);
        if (current.status !== since) return current;
        // Nothing would wake this request while the bus is down: 503, and the client retries.
        if (!this.bus.isListening) throw new DomainError('service_unavailable', 'The event bus is unreachable; retry later.');
        wait.hold();
        const outcome = await wait.outcome;
        if (outcome.kind === 'changed') {
          const snapshot = await outcome.change.snapshot();
          this.metrics.pushDelivered(outcome.change.publishedAt, 'long-poll');
          return snapshot;
        }
        if (outcome.kind === 'closed') return current;
        if (outcome.kind === 'timeout') return await this.sessions.snapshotFor(id, secret);
        // 'resync': the bus reconnected and may have missed a change; read again and keep waiting if there was none.
      } finally {
        abort.removeEventListener('abort', onAbort);
        wait.cancel();
      }
      if (abort.aborted || Date.now() >= deadline) return this.sessions.snapshotFor(id, secret);
    }
  }
}
