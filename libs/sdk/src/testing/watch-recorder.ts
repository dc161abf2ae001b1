import type { QrClientError } from '../qr-client.error';
import type { QrTransport, QrWatchEvent, QrWatchEventType, QrWatchOptions } from '../qr-session.watcher';

/** Records what a watch reports, in order, and lets a test await the n-th event instead of sleeping. */
export class WatchRecorder {
  readonly events: QrWatchEvent[] = [];
  readonly transports: Array<{ transport: QrTransport; reason: string }> = [];
  readonly errors: QrClientError[] = [];
  private waiters: Array<{ count: number; resolve: () => void }> = [];

  readonly callbacks: Pick<QrWatchOptions, 'onEvent' | 'onTransport' | 'onError'> = {
    onEvent: (event) => {
      this.events.push(event);
      const ready = this.waiters.filter((waiter) => this.events.length >= waiter.count);
      this.waiters = this.waiters.filter((waiter) => !ready.includes(waiter));
      ready.forEach((waiter) => waiter.resolve());
    },
    onTransport: (transport, reason) => {
      this.transports.push({ transport, reason });
    },
    onError: (error) => {
      this.errors.push(error);
    },
  };

  types(): QrWatchEventType[] {
    return this.events.map((event) => event.type);
  }

  /** Resolves once `count` events have been reported in all. */
  until(count: number): Promise<QrWatchEvent[]> {
    if (this.events.length >= count) return Promise.resolve(this.events.slice(0, count));
    return new Promise((resolve) => this.waiters.push({ count, resolve: () => resolve(this.events.slice(0, count)) }));
  }
}
