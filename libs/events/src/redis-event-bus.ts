import { Logger, type OnApplicationShutdown, type OnModuleDestroy, type OnModuleInit } from '@nestjs/common';
import { createAdapter } from '@socket.io/redis-adapter';
import { Redis, type RedisOptions } from 'ioredis';
import type { DataSource, EntityManager, EntitySubscriberInterface, QueryRunner } from 'typeorm';
import { DomainError } from '@app/common';
import { CHANNEL_PATTERN, EventBus } from './event-bus';
import { EventOutboxRepository, type OutboxMessage } from './event-outbox.repository';

/** Redis channels of this service: `qr_login:<channel>`. */
const PREFIX = 'qr_login:';
/** How often each process looks for messages that a dead (or Redis-less) process left in the outbox. */
const SWEEP_EVERY_MS = 1000;
/** A message this old is left behind: its own process publishes within milliseconds of the commit. */
const LEFT_BEHIND_AFTER_MS = 2000;
const SWEEP_BATCH = 500;
/** Published ids remembered to drop a message that arrives twice (published, then swept again). */
const REMEMBERED_IDS = 10_000;
const DELETE_BATCH_DELAY_MS = 20;

interface Envelope {
  id: string;
  payload: unknown;
}

/** Never print a password that sits inside REDIS_URL. */
export function redactRedisUrl(url: string): string {
  return url.replace(/\/\/([^:@/]*):[^@/]*@/, '//$1:***@');
}

async function closeAll(clients: Redis[]): Promise<void> {
  await Promise.all(
    clients.map((client) =>
      client.status === 'ready'
        ? client.quit().then(
            () => undefined,
            () => client.disconnect(),
          )
        : client.disconnect(),
    ),
  );
}

/**
 * The event bus on Redis (`REDIS_URL`), for when one database's NOTIFY no longer suffices: a notifying commit takes a
 * database-wide lock, so every notifying commit of the cluster queues behind the others.
 *
 * An event must still exist if and only if its change committed, and survive the death of the process between its
 * commit and its publish. So `publish` writes it to the `event_outbox` table inside the change's transaction; once
 * the transaction commits (a TypeORM transaction subscriber tells), the process publishes it to Redis and deletes
 * the row. A row that stays (the process died, or Redis failed at that moment) is published by the sweep that every
 * process runs. Each message carries its outbox id, and receivers drop an id they already handled.
 *
 * Redis unreachable: `publish` refuses with `service_unavailable` (the change is rolled back), `isListening` is
 * false (readiness, long-polls and socket handshakes answer 503), and ioredis reconnects by itself; after that the
 * `onReconnect` handlers re-read what they watch and the sweep publishes what was left behind.
 */
export class RedisEventBus extends EventBus implements OnModuleInit, OnModuleDestroy, OnApplicationShutdown {
  private readonly logger = new Logger(RedisEventBus.name);
  private readonly publisher: Redis;
  private readonly subscriber: Redis;
  private readonly adapterClients: Redis[] = [];
  /** Messages of a transaction still open, published when it commits, dropped if it rolls back. */
  private readonly pending = new WeakMap<QueryRunner, OutboxMessage[]>();
  private readonly seen = new Set<string>();
  private readonly publishing = new Set<Promise<void>>();
  private published: string[] = [];
  private deleteTimer: NodeJS.Timeout | undefined;
  private sweepTimer: NodeJS.Timeout | undefined;
  private sweeping: Promise<void> | undefined;
  private subscriberLost = false;
  private readonly transactionHooks: EntitySubscriberInterface = {
    afterTransactionCommit: ({ queryRunner }) => this.committed(queryRunner),
    afterTransactionRollback: ({ queryRunner }) => void this.pending.delete(queryRunner),
  };

  constructor(
    private readonly url: string,
    private readonly dataSource: DataSource,
    private readonly outbox: EventOutboxRepository,
  ) {
    super();
    const options: RedisOptions = {
      lazyConnect: true,
      // Reconnect for ever, at most 2 s apart: the bus must come back by itself when Redis does.
      retryStrategy: (attempt) => Math.min(attempt * 100, 2000),
      maxRetriesPerRequest: 1,
    };
    // No offline queue for publishing: while Redis is away a publish must fail at once (503), not pile up.
    this.publisher = new Redis(url, { ...options, enableOfflineQueue: false, connectionName: 'qr-login-publisher' });
    this.subscriber = new Redis(url, { ...options, connectionName: 'qr-login-subscriber' });
    this.publisher.on('error', (error) => this.logger.debug(`publisher: ${error.message}`));
    this.publisher.on('ready', () => void this.sweep());
    this.subscriber.on('error', (error) => this.logger.debug(`subscriber: ${error.message}`));
    this.subscriber.on('close', () => {
      if (!this.subscriberLost) this.logger.warn('lost the connection to Redis: reconnecting');
      this.subscriberLost = true;
    });
    this.subscriber.on('ready', () => this.subscriberReady());
    this.subscriber.on('message', (channel: string, raw: string) => this.dispatch(channel, raw));
  }

  get isListening(): boolean {
    return this.publisher.status === 'ready' && this.subscriber.status === 'ready';
  }

  async publish(manager: EntityManager, channel: string, payload: unknown): Promise<void> {
    if (!CHANNEL_PATTERN.test(channel)) throw new Error(`Invalid channel name "${channel}"`);
    if (this.publisher.status !== 'ready') throw new DomainError('service_unavailable', 'The event bus is unreachable; retry later.');
    const message: OutboxMessage = { id: await this.outbox.add(manager, channel, payload), channel, payload };
    const runner = manager.queryRunner;
    if (runner?.isTransactionActive) {
      const messages = this.pending.get(runner) ?? [];
      messages.push(message);
      this.pending.set(runner, messages);
    } else {
      this.send([message]);
    }
  }

  protected listenTo(channel: string): void {
    this.subscriber.subscribe(PREFIX + channel).catch((error: Error) => this.logger.warn(`subscribe ${channel}: ${error.message}`));
  }

  /**
   * Socket.IO's Redis adapter on connections of its own: rooms then span every process (`to(room).emit`,
   * `fetchSockets`, `disconnectSockets` reach the sockets of all of them). This service's own events do not go this way
   * but through the bus (each process emits to its own sockets), so that they have the outbox's guarantee.
   */
  socketIoAdapter(): ReturnType<typeof createAdapter> {
    const pub = this.publisher.duplicate({ enableOfflineQueue: true, connectionName: 'qr-login-socket.io' });
    const sub = this.publisher.duplicate({ enableOfflineQueue: true, connectionName: 'qr-login-socket.io' });
    for (const client of [pub, sub]) client.on('error', (error) => this.logger.debug(`socket.io adapter: ${error.message}`));
    this.adapterClients.push(pub, sub);
    return createAdapter(pub, sub, { key: `${PREFIX}socket.io` });
  }

  async onModuleInit(): Promise<void> {
    try {
      await Promise.all([this.publisher.connect(), this.subscriber.connect()]);
    } catch (error) {
      this.publisher.disconnect();
      this.subscriber.disconnect();
      throw new Error(`Redis at ${redactRedisUrl(this.url)} (REDIS_URL) is unreachable: ${(error as Error).message}`);
    }
    this.dataSource.subscribers.push(this.transactionHooks);
    this.sweepTimer = setInterval(() => void this.sweep(), SWEEP_EVERY_MS);
    this.sweepTimer.unref();
  }

  async onModuleDestroy(): Promise<void> {
    clearInterval(this.sweepTimer);
    const hooks = this.dataSource.subscribers.indexOf(this.transactionHooks);
    if (hooks >= 0) this.dataSource.subscribers.splice(hooks, 1);
    await Promise.allSettled([...this.publishing, this.sweeping]);
    await this.deletePublished();
    await closeAll([this.publisher, this.subscriber]);
  }

  /** Socket.IO closes its namespaces (and their adapters unsubscribe) after the modules are destroyed: close last. */
  async onApplicationShutdown(): Promise<void> {
    await closeAll(this.adapterClients);
  }

  private committed(runner: QueryRunner): void {
    if (runner.isTransactionActive) return; // a savepoint was released; the transaction is still open
    const messages = this.pending.get(runner);
    this.pending.delete(runner);
    // Not awaited: the request that committed does not wait for Redis; a failure leaves the row for the sweep.
    if (messages) this.send(messages);
  }

  private send(messages: OutboxMessage[]): void {
    for (const message of messages) {
      const sent = this.publishOne(message).then(
        () => this.markPublished(message.id),
        (error: Error) => this.logger.warn(`event ${message.id} on ${message.channel} stays in the outbox for the sweep: ${error.message}`),
      );
      this.publishing.add(sent);
      void sent.finally(() => this.publishing.delete(sent));
    }
  }

  private async publishOne(message: OutboxMessage): Promise<void> {
    const envelope: Envelope = { id: message.id, payload: message.payload };
    await this.publisher.publish(PREFIX + message.channel, JSON.stringify(envelope));
  }

  /** Deletes published rows in batches: one statement for everything published within a few milliseconds. */
  private markPublished(id: string): void {
    this.published.push(id);
    this.deleteTimer ??= setTimeout(() => void this.deletePublished(), DELETE_BATCH_DELAY_MS);
  }

  private async deletePublished(): Promise<void> {
    clearTimeout(this.deleteTimer);
    this.deleteTimer = undefined;
    const ids = this.published.splice(0);
    // If this fails the rows are swept and published again; receivers drop the repeats.
    await this.outbox.remove(ids).catch((error: Error) => this.logger.warn(`could not clear ${ids.length} outbox row(s): ${error.message}`));
  }

  /** Publishes what was left in the outbox; one sweep at a time per process, and rows locked against the others. */
  private sweep(): Promise<void> {
    if (this.sweeping || this.publisher.status !== 'ready') return this.sweeping ?? Promise.resolve();
    this.sweeping = (async () => {
      try {
        for (;;) {
          const count = await this.outbox.drainLeftBehind(LEFT_BEHIND_AFTER_MS, SWEEP_BATCH, async (messages) => {
            await Promise.all(messages.map((message) => this.publishOne(message)));
          });
          if (count > 0) this.logger.warn(`published ${count} event(s) left in the outbox`);
          if (count < SWEEP_BATCH) return;
        }
      } catch (error) {
        this.logger.debug(`outbox sweep: ${(error as Error).message}`);
      } finally {
        this.sweeping = undefined;
      }
    })();
    return this.sweeping;
  }

  private subscriberReady(): void {
    if (!this.subscriberLost) return;
    this.subscriberLost = false;
    this.logger.log('reconnected to Redis');
    this.reconnected();
  }

  private dispatch(redisChannel: string, raw: string): void {
    if (!redisChannel.startsWith(PREFIX)) return;
    const channel = redisChannel.slice(PREFIX.length);
    let envelope: Envelope;
    try {
      envelope = JSON.parse(raw) as Envelope;
      if (typeof envelope?.id !== 'string') throw new Error('no id');
    } catch {
      this.logger.warn(`ignored a malformed message on ${channel}`);
      return;
    }
    if (this.seen.has(envelope.id)) return;
    this.seen.add(envelope.id);
    if (this.seen.size > REMEMBERED_IDS) this.seen.delete(this.seen.values().next().value!);
    this.handle(channel, envelope.payload);
  }
}
