/**
 * Remembers message keys for a while, so that a listener that hears a message twice (delivered in-process right
 * after its commit, then again through the bus) acts once. Bounded by time: a key is forgotten after `ttlMs`.
 */
export class RecentKeys {
  private readonly seen = new Map<string, number>();

  constructor(private readonly ttlMs = 60_000) {}

  /** True the first time a key is offered within the time window, false after. */
  firstTime(key: string, now = Date.now()): boolean {
    this.forgetOlderThan(now - this.ttlMs);
    if (this.seen.has(key)) return false;
    this.seen.set(key, now);
    return true;
  }

  get size(): number {
    return this.seen.size;
  }

  private forgetOlderThan(limit: number): void {
    // A Map iterates in insertion order, which is time order here: stop at the first key still young enough.
    for (const [key, at] of this.seen) {
      if (at > limit) return;
      this.seen.delete(key);
    }
  }
}
