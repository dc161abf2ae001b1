import { DomainError } from '@app/common';

/**
 * A small semaphore with a bounded queue. Password hashing (scrypt) runs on libuv's thread pool, which the database
 * driver needs too (SCRAM authentication of new connections, DNS): a burst of sign-ins must not take every thread.
 * At most `concurrency` hashes run at once; up to `maxQueued` more wait their turn; past that the caller is told to
 * come back (`rate_limited`, Retry-After 1 s) at once, instead of piling up behind the others.
 */
export class HashingSlots {
  private running = 0;
  private readonly queue: Array<() => void> = [];

  constructor(
    readonly concurrency: number,
    readonly maxQueued: number,
  ) {}

  get active(): number {
    return this.running;
  }

  get queued(): number {
    return this.queue.length;
  }

  async run<T>(task: () => Promise<T>): Promise<T> {
    if (this.running >= this.concurrency) {
      if (this.queue.length >= this.maxQueued) {
        throw new DomainError('rate_limited', 'The service is busy checking passwords; retry in a second.', 1);
      }
      await new Promise<void>((resolve) => this.queue.push(resolve));
    } else {
      this.running++;
    }
    try {
      return await task();
    } finally {
      // Hand the slot straight to the next in line (the count stays), or free it.
      const next = this.queue.shift();
      if (next) next();
      else this.running--;
    }
  }
}
