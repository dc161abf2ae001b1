import { Injectable, Logger, OnApplicationBootstrap, OnModuleDestroy } from '@nestjs/common';
import { DataSource } from 'typeorm';
import { AppConfigService } from '@app/config';

/** The advisory lock that makes one process at a time do the deletion. */
const RETENTION_LOCK = 72_519_101;

/**
 * Deletes finished QR sessions (and, by cascade, their audit rows) once they are older than `RETENTION_DAYS`.
 * Every process runs the job; a transaction-scoped advisory lock lets one of them work and the others skip, so rows
 * are deleted once and no two processes scan the table at the same time.
 */
@Injectable()
export class RetentionJob implements OnApplicationBootstrap, OnModuleDestroy {
  private readonly logger = new Logger(RetentionJob.name);
  private timer: NodeJS.Timeout | undefined;

  constructor(
    private readonly dataSource: DataSource,
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

  /** One run: answers how many sessions it deleted, or `skipped` when another process holds the lock. */
  runOnce(): Promise<{ skipped: true } | { skipped: false; deleted: number }> {
    return this.dataSource.transaction(async (manager) => {
      const [{ locked }] = await manager.query('SELECT pg_try_advisory_xact_lock($1) AS locked', [RETENTION_LOCK]);
      if (!locked) return { skipped: true as const };
      const [{ deleted }]: Array<{ deleted: number }> = await manager.query(
        `WITH gone AS (
           DELETE FROM qr_sessions
            WHERE status NOT IN ('pending', 'scanned')
              AND created_at < now() - make_interval(days => $1)
           RETURNING 1
         )
         SELECT count(*)::int AS deleted FROM gone`,
        [this.config.retentionDays],
      );
      if (deleted > 0) this.logger.log(`deleted ${deleted} finished QR sessions older than ${this.config.retentionDays} days`);
      return { skipped: false as const, deleted };
    });
  }
}
