import { Injectable, OnApplicationBootstrap, OnModuleDestroy } from '@nestjs/common';
import { DataSource } from 'typeorm';
import { addressKey, DomainError } from '@app/common';
import { AppConfigService } from '@app/config';
import { preparedQuery } from '@app/database';
import { MetricsService } from '@app/metrics';
import { RATE_LIMIT_POLICIES, type RateLimitName } from './rate-limit.policies';

const CLEANUP_INTERVAL_MS = 5 * 60 * 1000;

/**
 * Fixed-window counters in PostgreSQL: one upsert per limited request, shared by every process.
 * Off when `RATE_LIMITS=off` (benchmarks and load tests only).
 */
@Injectable()
export class RateLimiter implements OnApplicationBootstrap, OnModuleDestroy {
  private cleanup: NodeJS.Timeout | undefined;

  constructor(
    private readonly dataSource: DataSource,
    private readonly config: AppConfigService,
    private readonly metrics: MetricsService,
  ) {}

  onApplicationBootstrap(): void {
    if (!this.config.rateLimits) return;
    this.cleanup = setInterval(() => void this.deleteStale().catch(() => undefined), CLEANUP_INTERVAL_MS);
    this.cleanup.unref();
  }

  onModuleDestroy(): void {
    clearInterval(this.cleanup);
  }

  /**
   * Counts one request of `name` from `ip`; throws `rate_limited` past the policy's limit. An IPv6
   * client counts by its /64 ({@link addressKey}).
   */
  async consume(name: RateLimitName, ip: string | null): Promise<void> {
    if (!this.config.rateLimits) return;
    const policy = RATE_LIMIT_POLICIES[name];
    try {
      await this.hit(`${name}:ip:${addressKey(ip)}`, policy.limit, policy.windowSeconds);
    } catch (error) {
      if (error instanceof DomainError && error.code === 'rate_limited') this.metrics.rateLimited(name);
      throw error;
    }
  }

  /** Counts one request of `name` by a signed-in account, for policies with `perAccount` (besides the per-IP count). */
  async consumeForAccount(name: RateLimitName, accountId: string): Promise<void> {
    if (!this.config.rateLimits) return;
    const policy = RATE_LIMIT_POLICIES[name];
    if (!('perAccount' in policy)) return;
    await this.hit(`${name}:account:${accountId}`, policy.perAccount.limit, policy.windowSeconds);
  }

  private async hit(key: string, limit: number, windowSeconds: number): Promise<void> {
    // A named prepared statement (parsed and planned once per connection): every limited request runs it, and
    // unnamed, its planning cost PostgreSQL as much CPU as running it (docs/benchmarks.md, "Rate limits on").
    const [row] = await preparedQuery<{ hits: number; reset_in: number }>(
      this.dataSource,
      `INSERT INTO rate_limit_counters AS counter (key, window_started_at, hits) VALUES ($1, now(), 1)
       ON CONFLICT (key) DO UPDATE SET
         hits = CASE WHEN counter.window_started_at <= now() - make_interval(secs => $2) THEN 1 ELSE counter.hits + 1 END,
         window_started_at = CASE WHEN counter.window_started_at <= now() - make_interval(secs => $2)
                                  THEN now() ELSE counter.window_started_at END
       RETURNING hits, EXTRACT(EPOCH FROM counter.window_started_at + make_interval(secs => $2) - now())::float AS reset_in`,
      [key, windowSeconds],
    );
    if (row.hits > limit) {
      const retryAfter = Math.max(1, Math.ceil(row.reset_in));
      throw new DomainError('rate_limited', `Too many requests; retry in ${retryAfter} s.`, retryAfter);
    }
  }

  private async deleteStale(): Promise<void> {
    const longest = Math.max(...Object.values(RATE_LIMIT_POLICIES).map((policy) => policy.windowSeconds));
    await this.dataSource.query(`DELETE FROM rate_limit_counters WHERE window_started_at < now() - make_interval(secs => $1)`, [longest]);
  }
}
