import 'reflect-metadata';
import cluster from 'node:cluster';
import type { Server } from 'node:http';
import { createServer } from 'node:net';
import { Logger } from '@nestjs/common';
import type { NestFastifyApplication } from '@nestjs/platform-fastify';
import { ConfigError, loadConfig } from '@app/config';
import type { AppConfigService } from '@app/config';
import { EmbeddedPostgresError, type EmbeddedDatabase } from '@app/database';
import { Drain } from '@app/lifecycle';
import { createLogger, NestPinoLogger } from '@app/logging';
import type { Logger as PinoLogger } from 'pino';
import { runPrimary } from './cluster';
import { createApp } from './create-app';
import { prepareRuntime, StartupError, workerRuntime } from './runtime';
import { closeHttpServer } from './shutdown';

const logger = new Logger('Bootstrap');

/** starting → serving → stopping; a signal means something different in each. */
let phase: 'starting' | 'serving' | 'stopping' = 'starting';
let stopServing: (() => Promise<void>) | undefined;

function onSignal(signal: string): void {
  // A second signal (Ctrl-C reaches a cluster's workers from the terminal and from the primary) changes nothing.
  if (phase === 'stopping') return;
  const wasStarting = phase === 'starting';
  phase = 'stopping';
  if (wasStarting || !stopServing) {
    // Nothing is served yet: no request to finish. The embedded PostgreSQL, if it runs, is stopped on exit.
    logger.log(`${signal} during start: stopped before serving`);
    process.exit(0);
  }
  logger.log(`${signal}: shutting down`);
  stopServing().then(
    () => process.exit(0),
    (error: unknown) => {
      logger.error(`shutting down: ${error instanceof Error ? error.message : String(error)}`);
      process.exit(1);
    },
  );
}

// From the first moment, so that a Ctrl-C during start is a clean stop rather than a dump of whatever was in flight.
for (const signal of ['SIGINT', 'SIGTERM', 'SIGHUP'] as const) process.on(signal, onSignal);

let root: PinoLogger | undefined;

async function bootstrap(): Promise<void> {
  const loaded = loadConfig();
  // From here on every line is written by pino: JSON lines, or LOG_FORMAT=pretty for people.
  root = createLogger({ format: loaded.logFormat, level: loaded.logLevel });
  Logger.overrideLogger(new NestPinoLogger(root));
  // Before anything is made that a taken port would leave for nothing: an embedded database, migrations.
  if (cluster.isPrimary) await assertPortFree(loaded.port);
  if (cluster.isPrimary && loaded.workers > 1) {
    // Once for all workers: the embedded database, migrations, the JWT secret.
    const { config, embedded } = await prepareRuntime(loaded);
    if (phase !== 'starting') return;
    for (const signal of ['SIGINT', 'SIGTERM', 'SIGHUP'] as const) process.removeListener(signal, onSignal);
    runPrimary({
      workers: loaded.workers,
      env: { DATABASE_URL: config.databaseUrl, JWT_SECRET: config.jwtSecret },
      afterWorkers: async () => embedded?.stop(),
    });
    return;
  }
  const { config, embedded } = cluster.isWorker ? { config: workerRuntime(loaded), embedded: undefined } : await prepareRuntime(loaded);
  if (phase !== 'starting') return;
  await serve(config, embedded, root);
}

async function serve(config: AppConfigService, embedded: EmbeddedDatabase | undefined, root: PinoLogger): Promise<void> {
  const app = await createApp(config, { logger: root });
  await listenOnAllAddresses(app, config.port);
  /**
   * Draining (contract §7), all within SHUTDOWN_GRACE_SECONDS: readiness 503, new sockets and long-polls refused, held
   * long-polls answered, sockets closed (Drain's hooks); then no new connection, in-flight requests finish; then Nest
   * closes its connections, and the embedded database stops last.
   */
  stopServing = async () => {
    const graceMs = config.shutdownGraceSeconds * 1000;
    const started = Date.now();
    setTimeout(() => {
      logger.error(`not stopped within SHUTDOWN_GRACE_SECONDS=${config.shutdownGraceSeconds}: exiting now`);
      process.exit(1);
    }, graceMs).unref();
    const drain = app.get(Drain);
    drain.begin();
    // Most of the grace for requests in flight; the rest to close the database connections. While requests are in
    // flight the port stays open, answering readiness with 503 and refusing new long-polls and sockets.
    const deadline = started + graceMs - Math.min(2000, graceMs / 4);
    let timer: NodeJS.Timeout | undefined;
    await Promise.race([drain.whenNoRequests(), new Promise((resolveWait) => (timer = setTimeout(resolveWait, deadline - Date.now())))]);
    clearTimeout(timer);
    const { forced } = await closeHttpServer(app.getHttpServer() as Server, deadline);
    if (forced) logger.warn(`requests still in flight after ${Math.round((deadline - started) / 100) / 10} s were cut`);
    await app.close().catch((error: unknown) => logger.error(`closing the app: ${String(error)}`));
    await embedded?.stop().catch((error: unknown) => logger.error(`stopping the embedded PostgreSQL: ${String(error)}`));
    logger.log(`stopped in ${Date.now() - started} ms`);
  };
  if (phase !== 'starting') return;
  phase = 'serving';
  logger.log(`QR login service on ${config.publicUrl} (listening on port ${config.port})`);
  // A worker whose primary is gone would serve on unsupervised: it stops too.
  if (cluster.isWorker) process.on('disconnect', () => onSignal('primary gone'));
}

/** On every address, IPv6 and IPv4, as Node listens by default; on IPv4 alone where the host has no IPv6. */
async function listenOnAllAddresses(app: NestFastifyApplication, port: number): Promise<void> {
  try {
    await app.listen(port, '::');
  } catch (error) {
    if ((error as { code?: unknown }).code !== 'EAFNOSUPPORT' && (error as { code?: unknown }).code !== 'EADDRNOTAVAIL') throw error;
    await app.listen(port, '0.0.0.0');
  }
}

/** Refuses a port another program listens on, as `listen` would after the whole start. Port 0 is any free one. */
async function assertPortFree(port: number): Promise<void> {
  if (port === 0) return;
  const probe = (host: string) =>
    new Promise<void>((resolve, reject) => {
      const server = createServer();
      server.once('error', reject);
      server.listen({ port, host, exclusive: true }, () => server.close(() => resolve()));
    });
  await probe('::').catch((error: NodeJS.ErrnoException) => {
    if (error.code === 'EAFNOSUPPORT' || error.code === 'EADDRNOTAVAIL') return probe('0.0.0.0');
    throw error;
  });
}

bootstrap().catch((error: unknown) => {
  // A signal during start ends in-flight work with errors of its own: the signal already said why we stop.
  if (phase === 'stopping') return;
  let line: string;
  if (error instanceof ConfigError || error instanceof StartupError || error instanceof EmbeddedPostgresError) {
    line = `Cannot start: ${error.message}`;
  } else if ((error as { code?: unknown })?.code === 'EADDRINUSE') {
    line = `Cannot start: port ${String((error as { port?: unknown }).port ?? '')} is already in use (set PORT to another one).`;
  } else {
    // Not the operator's doing: the stack is for whoever fixes the code.
    line = `Cannot start: ${error instanceof Error ? (error.stack ?? error.message) : String(error)}`;
  }
  // Settings refused before a logger could be made from them are told the same way, by a logger of the defaults.
  (root ?? createLogger({ format: 'json', level: 'info' })).fatal({ context: 'Bootstrap' }, line);
  process.exit(1);
});
