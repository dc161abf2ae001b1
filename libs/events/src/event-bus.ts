import { Logger } from '@nestjs/common';
import type { EntityManager } from 'typeorm';

export type EventHandler = (payload: unknown) => void;

/**
 * The cross-process event bus: what one process publishes, every process (itself included) hears. Modules depend on
 * this class only; `EventsModule` binds it to `PgEventBus` (PostgreSQL LISTEN/NOTIFY, the default) or to
 * `RedisEventBus` when `REDIS_URL` is set.
 *
 * Delivery is at least once and only for committed changes; handlers must tolerate a late or repeated message (the QR
 * listeners only ever move a session forward). Channel names are `[a-z_][a-z0-9_]*`, payloads plain JSON.
 */
export abstract class EventBus {
  /**
   * Publishes inside the caller's transaction: the message goes out if, and only if, the transaction commits. Throws
   * `DomainError('service_unavailable')` when the bus cannot take it, which rolls the transaction back.
   */
  abstract publish(manager: EntityManager, channel: string, payload: unknown): Promise<void>;

  /**
   * Whether one SQL statement may publish by itself, with `pg_notify(channel, payload)` among its clauses: the message
   * then goes out if, and only if, that statement commits, without a round trip of its own. True only for the bus on
   * PostgreSQL's LISTEN/NOTIFY; with another, the statement runs in a transaction that also calls {@link publish}.
   */
  get notifiesFromSql(): boolean {
    return false;
  }

  /**
   * Whether no other process can hear this bus: true only for the bus on PostgreSQL when this process is alone on its
   * database (the embedded PostgreSQL it started itself, without workers; see `AppConfigService.aloneOnDatabase`), and
   * until another process connects to that database anyway. A message that {@link deliverLocally} already gave to
   * this process's handlers then has no one else to reach.
   */
  get alone(): boolean {
    return false;
  }

  /**
   * Hands this process's handlers, at once, a message of a change that has committed (and was published, by
   * `publish` or by its statement), so that a push can be written before the reply of the request that caused it
   * rather than after the round trip through the bus. `payload` may be richer than what was published (say with a
   * token, which never travels). The bus's own copy still arrives later, unless the bus is {@link alone}: handlers
   * drop the repeat.
   */
  deliverLocally(channel: string, payload: unknown): void {
    this.handle(channel, payload);
  }

  /** Calls `handler` with every payload published on `channel`; answers the function that unsubscribes. */
  subscribe(channel: string, handler: EventHandler): () => void {
    if (!CHANNEL_PATTERN.test(channel)) throw new Error(`Invalid channel name "${channel}"`);
    let set = this.handlers.get(channel);
    if (!set) {
      set = new Set();
      this.handlers.set(channel, set);
      this.listenTo(channel);
    }
    set.add(handler);
    return () => set!.delete(handler);
  }

  /** Called after this process got its connection back: messages published meanwhile may have been missed. */
  onReconnect(handler: () => void): () => void {
    this.reconnectHandlers.add(handler);
    return () => this.reconnectHandlers.delete(handler);
  }

  /** Whether this process hears events now (false while it reconnects): what waits for an event needs it. */
  abstract get isListening(): boolean;

  private readonly handlers = new Map<string, Set<EventHandler>>();
  private readonly reconnectHandlers = new Set<() => void>();
  private readonly handlerLogger = new Logger(EventBus.name);

  /** The channels someone subscribed to: a binding (re)starts listening to each of them on (re)connect. */
  protected get channels(): Iterable<string> {
    return this.handlers.keys();
  }

  /** The binding starts receiving `channel` from the other processes (first subscriber of that channel). */
  protected abstract listenTo(channel: string): void;

  /** A binding calls this with every message it received, once decoded. */
  protected handle(channel: string, payload: unknown): void {
    for (const handler of this.handlers.get(channel) ?? []) {
      try {
        handler(payload);
      } catch (error) {
        this.handlerLogger.error(`event handler failed on ${channel}`, (error as Error).stack);
      }
    }
  }

  /** A binding calls this once its connection is back. */
  protected reconnected(): void {
    for (const handler of this.reconnectHandlers) handler();
  }
}

export const CHANNEL_PATTERN = /^[a-z_][a-z0-9_]{0,62}$/;
