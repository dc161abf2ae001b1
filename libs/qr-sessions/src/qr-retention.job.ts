import { Injectable, Logger, OnApplicationBootstrap, OnModuleDestroy } from '@nestjs/common';
import { AppConfigService } from '@app/config';
import { QrSessionsRepository } from './qr-sessions.repository';

/**
 * Deletes finished QR sessions (and their audit rows) once they are older than `RETENTION_DAYS`, every
 * `RETENTION_SWEEP_SECONDS`. Every process runs the job; one at a time does the work (see
 * {@link QrSessionsRepository.deleteFinishedOlderThan}), the others skip that run.
 */
@Injectable()
export class QrRetentionJob implements OnApplicationBootstrap, OnModuleDestroy {
  private readonly logger = new Logger(QrRetentionJob.name);
  private timer: NodeJS.Timeout | undefined;

  constructor(
    private readonly sessions: QrSessionsRepository,
    private readonly config: AppConfigService,
  ) {}

  onApplicationBootstrap(): void {
    this.timer = setInterval(
      () => void this.runOnce().catch((error) => this.logger.warn(`retention run failed: ${(error as Error).message}`)),
      this.config.retentionSweepSeconds * 1000,
    );
    this.timer.unref();
  }

  onModuleDestroy(): void {
    clearInterval(this.timer);
  }

  /** One run: answers how many sessions it deleted, or `skipped` when another process is deleting. */
  async runOnce(): Promise<{ skipped: true } | { skipped: false; deleted: number }> {
    const deleted = await this.sessions.deleteFinishedOlderThan(this.config.retentionDays);
    if (deleted === undefined) return { skipped: true };
    if (deleted > 0) this.logger.log(`deleted ${deleted} finished QR sessions older than ${this.config.retentionDays} days`);
    return { skipped: false, deleted };
  }
}
