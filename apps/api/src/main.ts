import 'reflect-metadata';
import cluster from 'node:cluster';
import { Logger } from '@nestjs/common';
import { ConfigError, loadConfig } from '@app/config';
import type { AppConfigService } from '@app/config';
import { EmbeddedPostgresError, type EmbeddedDatabase } from '@app/database';
import { runPrimary } from './cluster';
import { createApp } from './create-app';
import { prepareRuntime, StartupError, workerRuntime } from './runtime';

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

async function bootstrap(): Promise<void> {
  const loaded = loadConfig();
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
  await serve(config, embedded);
}

async function serve(config: AppConfigService, embedded: EmbeddedDatabase | undefined): Promise<void> {
  const app = await createApp(config);
  await app.listen(config.port);
  // Close in order: stop taking requests, let Nest close its connections, then stop the embedded database.
  stopServing = async () => {
    await app.close().catch((error: unknown) => logger.error(`closing the app: ${String(error)}`));
    await embedded?.stop().catch((error: unknown) => logger.error(`stopping the embedded PostgreSQL: ${String(error)}`));
  };
  if (phase !== 'starting') return;
  phase = 'serving';
  logger.log(`QR login service on ${config.publicUrl} (listening on port ${config.port})`);
  // A worker whose primary is gone would serve on unsupervised: it stops too.
  if (cluster.isWorker) process.on('disconnect', () => onSignal('primary gone'));
}

bootstrap().catch((error: unknown) => {
  // A signal during start ends in-flight work with errors of its own: the signal already said why we stop.
  if (phase === 'stopping') return;
  if (error instanceof ConfigError || error instanceof StartupError || error instanceof EmbeddedPostgresError) {
    console.error(`Cannot start: ${error.message}`);
  } else if ((error as { code?: unknown })?.code === 'EADDRINUSE') {
    console.error(`Cannot start: port ${String((error as { port?: unknown }).port ?? '')} is already in use (set PORT to another one).`);
  } else {
    console.error('Cannot start:', error);
  }
  process.exit(1);
});
