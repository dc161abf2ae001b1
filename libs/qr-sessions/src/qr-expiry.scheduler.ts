import { Injectable, Logger, OnApplicationBootstrap, OnModuleDestroy } from '@nestjs/common';
import { AppConfigService } from '@app/config';
import { QrSessionChanges } from './qr-session-changes';
import { QrSessionsService } from './qr-sessions.service';

/** Timers further out than this are not armed; the sweep catches them (keeps setTimeout within its 32-bit range). */
const MAX_TIMER_MS = 24 * 3600 * 1000;
/** Fire just after `expires_at`, so that the database's `expires_at <= now()` already holds. */
const TIMER_SLACK_MS = 25;

/**
 * Makes `expired` happen by itself (contract §4). Every process arms a timer for every session it hears created and
 * tries the conditional expiry when it fires: one process wins, the others change nothing. A periodic sweep catches
 * sessions whose timers no process held (all were down, or started later).
 */
@Injectable()
export class QrExpiryScheduler implements OnApplicationBootstrap, OnModuleDestroy {
  private readonly logger = new Logger(QrExpiryScheduler.name);
  private readonly timers = new Map<string, NodeJS.Timeout>();
  private sweeper: NodeJS.Timeout | undefined;
  private unsubscribe: (() => void) | undefined;
  private sweeping = false;

  constructor(
    private readonly changes: QrSessionChanges,
    private readonly sessions: QrSessionsService,
    private readonly config: AppConfigService,
  ) {}

  onApplicationBootstrap(): void {
    this.unsubscribe = this.changes.subscribe((change) => {
      if (change.type === 'created') this.arm(change.id, Date.parse(change.expiresAt));
      else if (change.status !== 'pending' && change.status !== 'scanned') this.disarm(change.id);
    });
    this.sweeper = setInterval(() => void this.sweep(), this.config.expirySweepSeconds * 1000);
    this.sweeper.unref();
    void this.sweep();
  }

  onModuleDestroy(): void {
    this.unsubscribe?.();
    clearInterval(this.sweeper);
    for (const timer of this.timers.values()) clearTimeout(timer);
    this.timers.clear();
  }

  private arm(id: string, expiresAt: number): void {
    const delay = Math.max(0, expiresAt - Date.now()) + TIMER_SLACK_MS;
    if (delay > MAX_TIMER_MS || this.timers.has(id)) return;
    const timer = setTimeout(() => {
      this.timers.delete(id);
      this.sessions.expire(id).catch((error) => this.logger.warn(`could not expire ${id}: ${(error as Error).message}`));
    }, delay);
    timer.unref();
    this.timers.set(id, timer);
  }

  private disarm(id: string): void {
    clearTimeout(this.timers.get(id));
    this.timers.delete(id);
  }

  private async sweep(): Promise<void> {
    if (this.sweeping) return;
    this.sweeping = true;
    try {
      await this.sessions.expireDue();
    } catch (error) {
      this.logger.warn(`expiry sweep failed: ${(error as Error).message}`);
    } finally {
      this.sweeping = false;
    }
  }
}
