import { Injectable, OnApplicationBootstrap, OnModuleDestroy } from '@nestjs/common';
import { addressKey, DomainError } from '@app/common';
import { AppConfigService } from '@app/config';
import { MetricsService } from '@app/metrics';
import { LoginFailureCountersRepository } from './login-failure-counters.repository';
import type { LoginFailureCounter } from './login-failure-counter.entity';

/**
 * How failed sign-ins slow down password guessing without letting anyone lock an owner out (issue 8 item 4).
 * Failures are counted, never attempts, so a correct password is only ever delayed, not refused for good:
 * - per account and client address: the first `freeFailures` cost nothing; then each further attempt from that
 *   address waits 1 s, 2 s, 4 s, ... (at most `maxPairDelaySeconds`) after the last failure. A success forgives them.
 * - per account, from every address together (a guesser with many addresses): past `accountCeiling` failures within
 *   `accountDecaySeconds`, each attempt waits 1 s, 2 s, ... after the last failure, at most `maxAccountDelaySeconds`:
 *   short, so a correct password from a new address is not held up for long. An address this account signed in from
 *   within `knownAddressDays` is not held up by it at all: failures elsewhere cannot lock the owner out.
 */
export const LOGIN_LOCKOUT = {
  freeFailures: 5,
  maxPairDelaySeconds: 15 * 60,
  pairDecaySeconds: 24 * 3600,
  accountCeiling: 50,
  maxAccountDelaySeconds: 60,
  accountDecaySeconds: 15 * 60,
  knownAddressDays: 30,
} as const;

const CLEANUP_INTERVAL_MS = 10 * 60 * 1000;

@Injectable()
export class LoginLockout implements OnApplicationBootstrap, OnModuleDestroy {
  private cleanup: NodeJS.Timeout | undefined;

  constructor(
    private readonly counters: LoginFailureCountersRepository,
    private readonly config: AppConfigService,
    private readonly metrics: MetricsService,
  ) {}

  onApplicationBootstrap(): void {
    if (!this.config.rateLimits) return;
    this.cleanup = setInterval(
      () => void this.counters.deleteOlderThan(LOGIN_LOCKOUT.knownAddressDays * 24 * 3600).catch(() => undefined),
      CLEANUP_INTERVAL_MS,
    );
    this.cleanup.unref();
  }

  onModuleDestroy(): void {
    clearInterval(this.cleanup);
  }

  /** Throws `rate_limited` (with Retry-After) while this account may not be tried from this address. */
  async assertMayTry(username: string, ip: string | null): Promise<void> {
    if (!this.config.rateLimits) return;
    const keys = keysOf(username, ip);
    const rows = await this.counters.find([keys.pair, keys.account]);
    const pair = rows.find((row) => row.key === keys.pair);
    const account = rows.find((row) => row.key === keys.account);
    const now = Date.now();
    const waits = [waitOf(pair, LOGIN_LOCKOUT.freeFailures, LOGIN_LOCKOUT.maxPairDelaySeconds, now)];
    const known = pair?.lastSucceededAt && now - pair.lastSucceededAt.getTime() < LOGIN_LOCKOUT.knownAddressDays * 24 * 3600 * 1000;
    const accountFresh = account?.lastFailedAt && now - account.lastFailedAt.getTime() < LOGIN_LOCKOUT.accountDecaySeconds * 1000;
    if (!known && accountFresh) waits.push(waitOf(account, LOGIN_LOCKOUT.accountCeiling, LOGIN_LOCKOUT.maxAccountDelaySeconds, now));
    const wait = Math.max(...waits);
    if (wait > 0) {
      const seconds = Math.ceil(wait / 1000);
      this.metrics.rateLimited('loginLockout');
      throw new DomainError('rate_limited', `Too many failed sign-ins for this account; retry in ${seconds} s.`, seconds);
    }
  }

  async recordFailure(username: string, ip: string | null): Promise<void> {
    if (!this.config.rateLimits) return;
    const keys = keysOf(username, ip);
    await this.counters.countFailure(keys.pair, LOGIN_LOCKOUT.pairDecaySeconds);
    await this.counters.countFailure(keys.account, LOGIN_LOCKOUT.accountDecaySeconds);
  }

  async recordSuccess(username: string, ip: string | null): Promise<void> {
    if (!this.config.rateLimits) return;
    await this.counters.markSucceeded(keysOf(username, ip).pair);
  }
}

function keysOf(username: string, ip: string | null): { pair: string; account: string } {
  const name = username.toLowerCase().slice(0, 64);
  return { pair: `pair:${name}:${addressKey(ip)}`, account: `account:${name}` };
}

/** Milliseconds left to wait: past `free` failures, 2^(failures - free) seconds after the last one, capped. */
function waitOf(counter: LoginFailureCounter | undefined, free: number, maxSeconds: number, now: number): number {
  if (!counter?.lastFailedAt || counter.failures < free) return 0;
  const delaySeconds = Math.min(2 ** (counter.failures - free), maxSeconds);
  return Math.max(0, counter.lastFailedAt.getTime() + delaySeconds * 1000 - now);
}
