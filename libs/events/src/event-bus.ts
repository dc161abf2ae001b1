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
   * then goes out if, and only if, that statement commits, without a round trip of its own. True only for a bus that
   * listens to PostgreSQL; a statement that publishes itself still hands its message to {@link committed}.
   */
  get notifiesFromSql(): boolean {
    return false;
  }

  /**
   * Called right after a change committed with the message it published (its statement's `pg_notify`, when
   * `notifiesFromSql`) or should publish (otherwise: this sends it to the other processes). This process's handlers
   * get `local` (the message, or a richer one for this process only, say with a token that never travels) before
   * this returns, so a push can be written before the reply of the request that caused it. The bus's own copy may
   * still arrive afterwards: handlers tolerate a repeat.
   */
  abstract committed(channel: string, message: unknown, options: { publishedBySql: boolean; local?: unknown }): Promise<void>;

  /** Calls `handler` with every payload published on `channel`; answers the function that unsubscribes. */
  abstract subscribe(channel: string, handler: EventHandler): () => void;

  /** Called after this process got its connection back: messages published meanwhile may have been missed. */
  abstract onReconnect(handler: () => void): () => void;

  /** Whether this process hears events now (false while it reconnects): what waits for an event needs it. */
  abstract get isListening(): boolean;
}

export const CHANNEL_PATTERN = /^[a-z_][a-z0-9_]{0,62}$/;
