import { randomUUID } from 'node:crypto';
import { Injectable, Logger, OnModuleDestroy, OnModuleInit } from '@nestjs/common';
import pg from 'pg';
import type { EntityManager } from 'typeorm';
import { AppConfigService } from '@app/config';
import { EventBus } from './event-bus';

const RECONNECT_MIN_MS = 100;
const RECONNECT_MAX_MS = 5000;
/** Where every process announces itself as its listener connects, so that one that was alone on its database knows. */
const PROCESSES_CHANNEL = 'qr_login_processes';

/**
 * The cross-process event bus, on PostgreSQL itself: changes are published with `pg_notify` inside the transaction that
 * makes them (so an event exists if and only if its change committed) and every process receives them on one dedicated
 * `LISTEN` connection. Handlers run in-process; nothing here holds a pooled connection while waiting.
 *
 * When the listening connection drops, events may have been missed: the bus reconnects with backoff and then tells
 * its `onReconnect` handlers, which re-read the state they care about.
 */
@Injectable()
export class PgEventBus extends EventBus implements OnModuleInit, OnModuleDestroy {
  private readonly logger = new Logger(PgEventBus.name);
  private client: pg.Client | undefined;
  private connected = false;
  private stopped = false;
  private reconnectDelay = RECONNECT_MIN_MS;
  private reconnectTimer: NodeJS.Timeout | undefined;
  private lastListen: Promise<unknown> = Promise.resolve();
  /** What this process announces itself by; its own announcement comes back to it too. */
  private readonly processId = randomUUID();
  private joined = false;

  constructor(private readonly config: AppConfigService) {
    super();
    this.subscribe(PROCESSES_CHANNEL, (processId) => this.heardProcess(processId));
  }

  get isListening(): boolean {
    return this.connected;
  }

  /** Publishes within the caller's transaction: delivered to every process if, and only if, it commits. */
  async publish(manager: EntityManager, channel: string, payload: unknown): Promise<void> {
    await manager.query('SELECT pg_notify($1, $2)', [channel, JSON.stringify(payload)]);
  }

  override get notifiesFromSql(): boolean {
    return true;
  }

  /**
   * Alone while nothing else was heard on the database. The embedded PostgreSQL is reachable on loopback with the
   * password beside it, and a process started by hand on it (rather than with WORKERS) announces itself: from then
   * on every change is published, and that process's desktops hear of them too.
   */
  override get alone(): boolean {
    return this.config.aloneOnDatabase && !this.joined;
  }

  protected listenTo(channel: string): void {
    if (this.connected) void this.listen(this.client!, channel).catch((error) => this.lost(error));
  }

  async onModuleInit(): Promise<void> {
    await this.connect();
  }

  async onModuleDestroy(): Promise<void> {
    this.stopped = true;
    clearTimeout(this.reconnectTimer);
    const client = this.client;
    this.client = undefined;
    this.connected = false;
    await client?.end().catch(() => undefined);
  }

  private async connect(): Promise<void> {
    const client = new pg.Client({
      connectionString: this.config.databaseUrl,
      application_name: 'qr-login-listener',
      keepAlive: true,
    });
    client.on('notification', (message) => this.dispatch(message.channel, message.payload));
    client.on('error', (error) => this.lost(error, client));
    client.on('end', () => this.lost(new Error('listener connection ended'), client));
    this.client = client;
    await client.connect();
    for (const channel of this.channels) await this.listen(client, channel);
    await client.query('SELECT pg_notify($1, $2)', [PROCESSES_CHANNEL, JSON.stringify(this.processId)]);
    this.connected = true;
    this.reconnectDelay = RECONNECT_MIN_MS;
  }

  /** One LISTEN at a time: modules subscribe together at start, and pg wants one query in flight per client. */
  private listen(client: pg.Client, channel: string): Promise<unknown> {
    const listened = this.lastListen.catch(() => undefined).then(() => client.query(`LISTEN ${channel}`));
    this.lastListen = listened;
    return listened;
  }

  private heardProcess(processId: unknown): void {
    if (processId === this.processId || this.joined) return;
    this.joined = true;
    if (this.config.aloneOnDatabase) {
      this.logger.warn(
        'another process connected to the embedded database: every change is published from now on (use WORKERS to run more processes)',
      );
    }
  }

  private dispatch(channel: string, raw: string | undefined): void {
    let payload: unknown;
    try {
      payload = JSON.parse(raw ?? 'null');
    } catch {
      this.logger.warn(`ignored a malformed notification on ${channel}`);
      return;
    }
    this.handle(channel, payload);
  }

  private lost(error: unknown, client?: pg.Client): void {
    if (this.stopped || (client && client !== this.client)) return;
    if (this.connected) this.logger.warn(`event listener lost its connection: ${(error as Error).message}`);
    this.connected = false;
    this.client = undefined;
    client?.removeAllListeners('end');
    void client?.end().catch(() => undefined);
    this.scheduleReconnect();
  }

  private scheduleReconnect(): void {
    if (this.stopped || this.reconnectTimer) return;
    this.reconnectTimer = setTimeout(async () => {
      this.reconnectTimer = undefined;
      try {
        await this.connect();
        this.logger.log('event listener reconnected');
        this.reconnected();
      } catch (error) {
        this.reconnectDelay = Math.min(this.reconnectDelay * 2, RECONNECT_MAX_MS);
        this.lost(error, this.client);
      }
    }, this.reconnectDelay);
    this.reconnectTimer.unref();
  }
}
