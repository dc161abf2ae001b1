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

  /** Calls `handler` with every payload published on `channel`; answers the function that unsubscribes. */
  abstract subscribe(channel: string, handler: EventHandler): () => void;

  /** Called after this process got its connection back: messages published meanwhile may have been missed. */
  abstract onReconnect(handler: () => void): () => void;

  /** Whether this process hears events now (false while it reconnects): what waits for an event needs it. */
  abstract get isListening(): boolean;
}

export const CHANNEL_PATTERN = /^[a-z_][a-z0-9_]{0,62}$/;
