import { Injectable, Logger } from '@nestjs/common';

/**
 * Whether this process is draining (contract §7): from SIGTERM/SIGINT on, readiness answers 503, new sockets and
 * long-polls are refused, held long-polls are answered and sockets closed, while in-flight requests finish.
 * Modules register what to do at that moment with {@link onDrain}; the bootstrap calls {@link begin}.
 */
@Injectable()
export class Drain {
  private readonly logger = new Logger(Drain.name);
  private readonly hooks = new Set<() => void>();
  private draining = false;
  private inFlight = 0;
  private readonly idleWaiters: Array<() => void> = [];

  get isDraining(): boolean {
    return this.draining;
  }

  /** Runs `hook` once when draining begins (at once if it already has); answers the function that unregisters it. */
  onDrain(hook: () => void): () => void {
    if (this.draining) hook();
    else this.hooks.add(hook);
    return () => this.hooks.delete(hook);
  }

  /** Counts an HTTP request as in flight; answers the function to call once it has ended (idempotent). */
  requestStarted(): () => void {
    this.inFlight++;
    let ended = false;
    return () => {
      if (ended) return;
      ended = true;
      this.inFlight--;
      if (this.inFlight === 0) this.idleWaiters.splice(0).forEach((wake) => wake());
    };
  }

  /** Resolves once no HTTP request is in flight. */
  whenNoRequests(): Promise<void> {
    return this.inFlight === 0 ? Promise.resolve() : new Promise((resolve) => this.idleWaiters.push(resolve));
  }

  begin(): void {
    if (this.draining) return;
    this.draining = true;
    for (const hook of this.hooks) {
      try {
        hook();
      } catch (error) {
        this.logger.error(`a drain hook failed: ${(error as Error).message}`);
      }
    }
    this.hooks.clear();
  }
}
