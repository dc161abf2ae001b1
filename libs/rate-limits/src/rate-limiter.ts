import { Injectable, OnApplicationBootstrap, OnModuleDestroy } from '@nestjs/common';
import { addressKey, DomainError } from '@app/common';
import { AppConfigService } from '@app/config';
import { MetricsService } from '@app/metrics';
import { RateLimitCountersRepository, type CounterState } from './rate-limit-counters.repository';
import { RATE_LIMIT_POLICIES, type RateLimitName } from './rate-limit.policies';

const CLEANUP_INTERVAL_MS = 5 * 60 * 1000;

/**
 * A request's hit on its rate limit, to be counted by a statement that does other work too (a signed-in request's token
 * check): one round trip instead of two.
 */
export interface RateLimitHit {
  /** The counter and its window: the parameters of {@link countingSql} and {@link countedCte}. */
  key: string;
  windowSeconds: number;
  /** The hits a window allows, for a statement that does its work only within them. */
  limit: number;
  /** Throws `rate_limited` if the counter, as the statement left it, is past the limit. */
  judge(counter: CounterState): void;
  /** Counts the hit in a statement of its own, for a request refused before its statement could run; throws as judge. */
  countAlone(): Promise<void>;
}

/**
 * Fixed-window counters in PostgreSQL, shared by every process: one upsert per limited request, on its own or inside
 * the request's token check ({@link RateLimitHit}). Off when `RATE_LIMITS=off` (benchmarks and load tests only).
 */
@Injectable()
export class RateLimiter implements OnApplicationBootstrap, OnModuleDestroy {
  private cleanup: NodeJS.Timeout | undefined;

  constructor(
    private readonly counters: RateLimitCountersRepository,
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
   * The hit of one request of `name` from `ip`, for the caller to count in its own statement; none when limits are off.
   * A request that a page of another origin made in its visitor's browser (`fromForeignPage`) counts on a budget of its
   * own: such a page cannot spend the budget of the visitor's own desktop or apps, which share the address.
   */
  hitFor(name: RateLimitName, ip: string | null, fromForeignPage = false): RateLimitHit | undefined {
    if (!this.config.rateLimits) return undefined;
    const { limit, windowSeconds } = RATE_LIMIT_POLICIES[name];
    const key = `${name}:ip:${addressKey(ip)}${fromForeignPage ? ':foreign-page' : ''}`;
    const judge = (counter: CounterState) => {
      if (counter.hits <= limit) return;
      this.metrics.rateLimited(name);
      throw limited(counter);
    };
    return { key, windowSeconds, limit, judge, countAlone: async () => judge(await this.counters.countHit(key, windowSeconds)) };
  }

  /** Counts one request of `name` by a signed-in account, for policies with `perAccount` (besides the per-IP count). */
  async consumeForAccount(name: RateLimitName, accountId: string): Promise<void> {
    if (!this.config.rateLimits) return;
    const policy = RATE_LIMIT_POLICIES[name];
    if (!('perAccount' in policy)) return;
    const counter = await this.counters.countHit(`${name}:account:${accountId}`, policy.windowSeconds);
    if (counter.hits <= policy.perAccount.limit) return;
    this.metrics.rateLimited(name);
    throw limited(counter);
  }

  private async deleteStale(): Promise<void> {
    const longest = Math.max(...Object.values(RATE_LIMIT_POLICIES).map((policy) => policy.windowSeconds));
    await this.counters.deleteOlderThan(longest);
  }
}

/** The answer past a limit: retry when the counter's window ends. */
function limited(counter: CounterState): DomainError {
  const retryAfter = Math.max(1, Math.ceil(counter.resetInSeconds));
  return new DomainError('rate_limited', `Too many requests; retry in ${retryAfter} s.`, retryAfter);
}
