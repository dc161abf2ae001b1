import { Injectable } from '@nestjs/common';
import type { QrSessionSnapshot, QrStatus } from '@app/contract';
import { QrSessionWaiters } from './qr-session-waiters';
import { QrSessionsService } from './qr-sessions.service';

/**
 * `GET /api/qr-sessions/:id?wait=&since=` (contract §3): answers at once when the status differs from `since`,
 * otherwise when it changes or `wait` runs out, whichever is first.
 */
@Injectable()
export class QrLongPoll {
  constructor(
    private readonly sessions: QrSessionsService,
    private readonly waiters: QrSessionWaiters,
  ) {}

  async watch(
    id: string,
    secret: string | undefined,
    since: QrStatus | undefined,
    waitSeconds: number | undefined,
    abort: AbortSignal,
  ): Promise<QrSessionSnapshot> {
    if (since === undefined || !waitSeconds) return this.sessions.snapshotFor(id, secret);
    // Wait first, read second: a change that commits between the two still wakes this request.
    const wait = this.waiters.wait(id, since, waitSeconds * 1000);
    const onAbort = () => wait.cancel();
    abort.addEventListener('abort', onAbort, { once: true });
    try {
      const current = await this.sessions.snapshotFor(id, secret);
      if (current.status !== since) return current;
      const outcome = await wait.outcome;
      if (outcome.kind === 'changed') return await outcome.change.snapshot();
      if (outcome.kind === 'closed') return current;
      return await this.sessions.snapshotFor(id, secret);
    } finally {
      abort.removeEventListener('abort', onAbort);
      wait.cancel();
    }
  }
}
