import { Injectable } from '@nestjs/common';
import { Counter, Gauge, Histogram, Registry, collectDefaultMetrics } from 'prom-client';
import { FINISHED_STATUSES, isFinished, type QrStatus } from '@app/contract';

/** How a desktop hears of a change: its Socket.IO connection, or a held long-poll answered. */
export type PushTransport = 'socket' | 'long-poll';

/** Push delays are milliseconds to seconds: buckets from 1 ms to 10 s. */
const PUSH_DELAY_BUCKETS = [0.001, 0.0025, 0.005, 0.01, 0.025, 0.05, 0.1, 0.25, 0.5, 1, 2.5, 5, 10];
/** Requests include long-polls held up to 30 s. */
const HTTP_BUCKETS = [0.005, 0.01, 0.025, 0.05, 0.1, 0.25, 0.5, 1, 2.5, 5, 10, 30];

/** What the admin page shows of this process, read without parsing the Prometheus text. */
export interface MetricsSnapshot {
  connectedSockets: Record<string, number>;
  waitingLongPolls: number;
  pushDelay: { count: number; p50Seconds: number | null; p95Seconds: number | null; p99Seconds: number | null };
}

/**
 * The process's Prometheus metrics (contract §7), behind a small API so that modules record what happens without
 * knowing prom-client. Each app instance has its own registry (tests run several in one process).
 *
 * Gauges of things that exist (connected sockets, waiting long-polls) are read from their owners when scraped, through
 * the sources they register here, so they can never drift from the truth.
 */
@Injectable()
export class MetricsService {
  readonly registry = new Registry();
  private readonly socketSources = new Map<string, () => number>();
  private readonly longPollSources = new Set<() => number>();
  private readonly pushDelays: number[] = [];
  private readonly created: Counter;
  private readonly finished: Counter<'status'>;
  private readonly pushDelay: Histogram<'transport'>;
  private readonly httpDuration: Histogram<'method' | 'route' | 'status'>;
  private readonly rateLimitedCounter: Counter<'policy'>;

  constructor() {
    collectDefaultMetrics({ register: this.registry });
    const registers = [this.registry];
    this.created = new Counter({ name: 'qr_sessions_created_total', help: 'QR sessions created', registers });
    this.finished = new Counter({
      name: 'qr_sessions_finished_total',
      help: 'QR sessions that reached a terminal status, by that status',
      labelNames: ['status'],
      registers,
    });
    for (const status of FINISHED_STATUSES) this.finished.inc({ status }, 0);
    this.pushDelay = new Histogram({
      name: 'qr_push_delay_seconds',
      help: 'From a committed QR session transition to its event written to the desktop (socket or long-poll response)',
      labelNames: ['transport'],
      buckets: PUSH_DELAY_BUCKETS,
      registers,
    });
    const sockets = this.socketSources;
    new Gauge({
      name: 'qr_connected_sockets',
      help: 'Socket.IO connections of this process, by namespace',
      labelNames: ['namespace'],
      registers,
      collect() {
        this.reset();
        for (const [namespace, count] of sockets) this.set({ namespace }, count());
      },
    });
    const longPolls = this.longPollSources;
    new Gauge({
      name: 'qr_waiting_long_polls',
      help: 'Long-poll requests this process holds',
      registers,
      collect() {
        let total = 0;
        for (const count of longPolls) total += count();
        this.set(total);
      },
    });
    this.httpDuration = new Histogram({
      name: 'http_request_duration_seconds',
      help: 'HTTP requests by method, route pattern and status',
      labelNames: ['method', 'route', 'status'],
      buckets: HTTP_BUCKETS,
      registers,
    });
    this.rateLimitedCounter = new Counter({
      name: 'rate_limited_total',
      help: 'Requests and handshakes refused with rate_limited, by policy',
      labelNames: ['policy'],
      registers,
    });
  }

  qrSessionCreated(): void {
    this.created.inc();
  }

  /** Counts a session that reached a finished status; other statuses are ignored. */
  qrSessionFinished(status: QrStatus): void {
    if (isFinished(status)) this.finished.inc({ status });
  }

  /**
   * A change's event was written to a desktop. `committedAt` (epoch ms) is when its transition was published, inside
   * the transaction that committed it.
   */
  pushDelivered(committedAt: number | undefined, transport: PushTransport): void {
    if (committedAt === undefined || !Number.isFinite(committedAt)) return;
    const seconds = Math.max(0, Date.now() - committedAt) / 1000;
    this.pushDelay.observe({ transport }, seconds);
    this.pushDelays.push(seconds);
    if (this.pushDelays.length > 1000) this.pushDelays.splice(0, this.pushDelays.length - 1000);
  }

  /** Registers where `qr_connected_sockets{namespace}` is read (a namespace's live socket count). */
  countSocketsOf(namespace: string, count: () => number): void {
    this.socketSources.set(namespace, count);
  }

  /** Registers a source of held long-polls for `qr_waiting_long_polls`. */
  countLongPolls(count: () => number): () => void {
    this.longPollSources.add(count);
    return () => this.longPollSources.delete(count);
  }

  httpRequest(method: string, route: string, status: number, seconds: number): void {
    this.httpDuration.observe({ method, route, status: String(status) }, seconds);
  }

  rateLimited(policy: string): void {
    this.rateLimitedCounter.inc({ policy });
  }

  /** This process's live figures, e.g. for the admin page. Push delay percentiles cover the last 1000 deliveries. */
  snapshot(): MetricsSnapshot {
    const connectedSockets: Record<string, number> = {};
    for (const [namespace, count] of this.socketSources) connectedSockets[namespace] = count();
    let waitingLongPolls = 0;
    for (const count of this.longPollSources) waitingLongPolls += count();
    const sorted = [...this.pushDelays].sort((a, b) => a - b);
    const at = (q: number) => (sorted.length === 0 ? null : sorted[Math.min(sorted.length - 1, Math.floor(q * sorted.length))]);
    return {
      connectedSockets,
      waitingLongPolls,
      pushDelay: { count: sorted.length, p50Seconds: at(0.5), p95Seconds: at(0.95), p99Seconds: at(0.99) },
    };
  }

  /** The Prometheus text exposition. */
  async render(): Promise<{ contentType: string; body: string }> {
    return { contentType: this.registry.contentType, body: await this.registry.metrics() };
  }
}
