import { Injectable, Logger, OnModuleDestroy, OnModuleInit } from '@nestjs/common';
import { randomUUID } from 'node:crypto';
import { DataSource } from 'typeorm';
import type { AdminLiveStats } from '@app/contract';
import { EventBus } from '@app/events';
import { MetricsService } from '@app/metrics';

/** Someone asked for the live figures: every process reports its own for a while. */
const WANTED_CHANNEL = 'admin_live_stats_wanted';
/** One process's figures. */
const REPORT_CHANNEL = 'admin_live_stats';
/** How often a process reports while asked, how long it keeps at it, and how long a report counts. */
const REPORT_EVERY_MS = 2000;
const REPORT_FOR_MS = 30_000;
const REPORT_VALID_MS = 3 * REPORT_EVERY_MS;
/** Asked again at most this often: a page that polls keeps every process reporting, and a new process joins in soon. */
const ASK_EVERY_MS = 5000;

interface ProcessReport {
  process: string;
  connectedDesktops: number;
  waitingLongPolls: number;
  pushCount: number;
  pushMedianSeconds: number | null;
}

/**
 * The admin page's gauges for the whole service, not only the process that answers: with `WORKERS` > 1 or several
 * instances, every process holds its own sockets and long-polls. Processes report their figures over the event bus,
 * but only while an admin looks (a request for the figures asks every process to report every 2 s for half a minute), so
 * an idle service sends nothing. A process that stopped reporting (it died) drops out after 6 s.
 *
 * The median push delay of the whole is the median of the processes' medians, each weighted by its deliveries: exact
 * with one process, an estimate with several.
 */
@Injectable()
export class LiveStatsAggregator implements OnModuleInit, OnModuleDestroy {
  private readonly logger = new Logger(LiveStatsAggregator.name);
  private readonly process = randomUUID();
  private readonly reports = new Map<string, ProcessReport & { receivedAt: number }>();
  private readonly unsubscribes: Array<() => void> = [];
  private reportingUntil = 0;
  private timer: ReturnType<typeof setInterval> | undefined;
  private askedAt = 0;

  constructor(
    private readonly bus: EventBus,
    private readonly metrics: MetricsService,
    private readonly dataSource: DataSource,
  ) {}

  onModuleInit(): void {
    this.unsubscribes.push(
      this.bus.subscribe(WANTED_CHANNEL, () => this.reportForAWhile()),
      this.bus.subscribe(REPORT_CHANNEL, (payload) => {
        const report = payload as ProcessReport;
        if (typeof report?.process === 'string' && report.process !== this.process)
          this.reports.set(report.process, { ...report, receivedAt: Date.now() });
      }),
    );
  }

  onModuleDestroy(): void {
    this.unsubscribes.forEach((unsubscribe) => unsubscribe());
    clearInterval(this.timer);
  }

  /** The figures of every process that reported lately, and this process's own, current ones. */
  async liveStats(): Promise<AdminLiveStats> {
    if (Date.now() - this.askedAt > ASK_EVERY_MS) {
      this.askedAt = Date.now();
      await this.publish(WANTED_CHANNEL, {});
    }
    const now = Date.now();
    const reports: ProcessReport[] = [this.ownReport()];
    for (const [process, report] of this.reports) {
      if (now - report.receivedAt > REPORT_VALID_MS) this.reports.delete(process);
      else reports.push(report);
    }
    const pushCount = reports.reduce((sum, report) => sum + report.pushCount, 0);
    return {
      connectedDesktops: reports.reduce((sum, report) => sum + report.connectedDesktops, 0),
      waitingLongPolls: reports.reduce((sum, report) => sum + report.waitingLongPolls, 0),
      pushDelay: { count: pushCount, medianSeconds: weightedMedian(reports) },
      processes: reports.length,
      at: new Date(now).toISOString(),
    };
  }

  private ownReport(): ProcessReport {
    const snapshot = this.metrics.snapshot();
    return {
      process: this.process,
      connectedDesktops: snapshot.connectedSockets.qr ?? 0,
      waitingLongPolls: snapshot.waitingLongPolls,
      pushCount: snapshot.pushDelay.count,
      pushMedianSeconds: snapshot.pushDelay.p50Seconds,
    };
  }

  private reportForAWhile(): void {
    this.reportingUntil = Date.now() + REPORT_FOR_MS;
    if (this.timer) return;
    const report = () => {
      if (Date.now() > this.reportingUntil) {
        clearInterval(this.timer);
        this.timer = undefined;
        return;
      }
      void this.publish(REPORT_CHANNEL, this.ownReport());
    };
    report();
    this.timer = setInterval(report, REPORT_EVERY_MS);
    this.timer.unref();
  }

  /** Outside any transaction; a bus that is away only means figures from this process alone for a while. */
  private async publish(channel: string, payload: unknown): Promise<void> {
    try {
      await this.bus.publish(this.dataSource.manager, channel, payload);
    } catch (error) {
      this.logger.warn(`live stats not shared: ${(error as Error).message}`);
    }
  }
}

/** The median of the processes' medians, each counted as many times as it had deliveries. */
function weightedMedian(reports: ProcessReport[]): number | null {
  const measured = reports
    .filter((report): report is ProcessReport & { pushMedianSeconds: number } => report.pushMedianSeconds !== null && report.pushCount > 0)
    .sort((a, b) => a.pushMedianSeconds - b.pushMedianSeconds);
  const total = measured.reduce((sum, report) => sum + report.pushCount, 0);
  let seen = 0;
  for (const report of measured) {
    seen += report.pushCount;
    if (seen * 2 >= total) return report.pushMedianSeconds;
  }
  return null;
}
