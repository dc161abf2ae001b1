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
   * Hands this process's handlers, at once, a message of a change that has committed (and was published, by
   * `publish` or by its statement), so that a push can be written before the reply of the request that caused it
   * rather than after the round trip through the bus. `payload` may be richer than what was published (say with a
   * token, which never travels). The bus's own copy still arrives later: handlers drop the repeat.
   */
  abstract deliverLocally(channel: string, payload: unknown): void;

  /** Calls `handler` with every payload published on `channel`; answers the function that unsubscribes. */
  abstract subscribe(channel: string, handler: EventHandler): () => void;

  /** Called after this process got its connection back: messages published meanwhile may have been missed. */
  abstract onReconnect(handler: () => void): () => void;

  /** Whether this process hears events now (false while it reconnects): what waits for an event needs it. */
  abstract get isListening(): boolean;
}

export const CHANNEL_PATTERN = /^[a-z_][a-z0-9_]{0,62}$/;
