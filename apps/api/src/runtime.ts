import { Logger } from '@nestjs/common';
import { randomBytes } from 'node:crypto';
import { existsSync, mkdirSync, readFileSync, writeFileSync } from 'node:fs';
import { join, resolve } from 'node:path';
import { AppConfigService, type AppConfig } from '@app/config';
import { describeDatabaseStartupError, runMigrations, startEmbeddedPostgres, type EmbeddedDatabase } from '@app/database';

const logger = new Logger('Runtime');

/** Why the service could not start, in one line for the operator (no stack: nothing in the code is wrong). */
export class StartupError extends Error {
  constructor(message: string, options?: { cause?: unknown }) {
    super(message, options);
    this.name = 'StartupError';
  }
}

/** The JWT secret: `JWT_SECRET`, or one generated on first start and kept (mode 0600) under the data directory. */
export function resolveJwtSecret(config: AppConfig): string {
  if (config.jwtSecret) return config.jwtSecret;
  const dir = resolve(config.dataDir);
  const file = join(dir, 'jwt-secret');
  if (existsSync(file)) return readFileSync(file, 'utf8').trim();
  mkdirSync(dir, { recursive: true });
  const secret = randomBytes(48).toString('base64url');
  writeFileSync(file, `${secret}\n`, { mode: 0o600, flag: 'wx' });
  logger.log(`generated a JWT secret in ${file}`);
  return secret;
}

/** A cluster worker's configuration: the primary prepared the database and the secret and passed both down. */
export function workerRuntime(config: AppConfig): AppConfigService {
  if (!config.databaseUrl || !config.jwtSecret) throw new Error('a cluster worker needs DATABASE_URL and JWT_SECRET from its primary');
  return new AppConfigService({ ...config, databaseUrl: config.databaseUrl, jwtSecret: config.jwtSecret });
}

/**
 * Everything the app needs before Nest starts: a database (`DATABASE_URL`, or an embedded PostgreSQL under the data
 * directory), its migrations applied, and the JWT secret.
 */
export async function prepareRuntime(config: AppConfig): Promise<{ config: AppConfigService; embedded?: EmbeddedDatabase }> {
  let embedded: EmbeddedDatabase | undefined;
  let databaseUrl = config.databaseUrl;
  if (!databaseUrl) {
    const dataDir = join(resolve(config.dataDir), 'postgres');
    logger.log(`DATABASE_URL is unset: starting the embedded PostgreSQL in ${dataDir}`);
    // Its password is generated on first start and kept beside the JWT secret (mode 0600), never a fixed one.
    embedded = await startEmbeddedPostgres({
      dataDir,
      database: 'qr_login',
      passwordFile: join(resolve(config.dataDir), 'postgres-password'),
      log: (message) => logger.log(message),
    });
    databaseUrl = embedded.url;
  }
  let applied: string[];
  try {
    applied = await runMigrations(databaseUrl);
  } catch (error) {
    await embedded?.stop().catch(() => undefined);
    throw new StartupError(describeDatabaseStartupError(error, databaseUrl, embedded ? 'embedded' : 'DATABASE_URL'), { cause: error });
  }
  if (applied.length > 0) logger.log(`applied migrations: ${applied.join(', ')}`);
  return { config: new AppConfigService({ ...config, databaseUrl, jwtSecret: resolveJwtSecret(config) }), embedded };
}
