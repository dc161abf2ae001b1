import { Logger } from '@nestjs/common';
import { randomBytes } from 'node:crypto';
import { existsSync, readFileSync } from 'node:fs';
import { join, resolve } from 'node:path';
import { AppConfigService, type AppConfig } from '@app/config';
import {
  describeDatabaseStartupError,
  maxConnectionsFor,
  runMigrations,
  sharedSecret,
  startEmbeddedPostgres,
  type EmbeddedDatabase,
} from '@app/database';

const logger = new Logger('Runtime');

/** Why the service could not start, in one line for the operator (no stack: nothing in the code is wrong). */
export class StartupError extends Error {
  constructor(message: string, options?: { cause?: unknown }) {
    super(message, options);
    this.name = 'StartupError';
  }
}

/**
 * The JWT secret: `JWT_SECRET`, or else the one kept in the database (table service_secrets), which the first process
 * to start generated: every process that shares DATABASE_URL then accepts the others' tokens (contract §6).
 * A `DATA_DIR/jwt-secret` left by an older version seeds the database, so that tokens it issued stay valid.
 */
export async function resolveJwtSecret(config: AppConfig, databaseUrl: string): Promise<string> {
  if (config.jwtSecret) return config.jwtSecret;
  const legacyFile = join(resolve(config.dataDir), 'jwt-secret');
  const legacy = existsSync(legacyFile) ? readFileSync(legacyFile, 'utf8').trim() : undefined;
  const { value, created } = await sharedSecret(databaseUrl, 'jwt', () => legacy || randomBytes(48).toString('base64url'));
  if (created) logger.log(legacy ? `the JWT secret of ${legacyFile} is now kept in the database` : 'generated a JWT secret, kept in the database');
  else if (legacy && legacy !== value)
    logger.warn(`${legacyFile} differs from the JWT secret in the database: using the database's, shared by every process`);
  return value;
}

/** A cluster worker's configuration: the primary prepared the database and the secret and passed both down. */
export function workerRuntime(config: AppConfig): AppConfigService {
  if (!config.databaseUrl || !config.jwtSecret) throw new Error('a cluster worker needs DATABASE_URL and JWT_SECRET from its primary');
  return new AppConfigService({ ...config, databaseUrl: config.databaseUrl, jwtSecret: config.jwtSecret });
}

/**
 * The service finds its pages (public/, dist/web/) and the password checker's modules from the working directory:
 * started from anywhere else it would answer the API and 404 for every page, so it refuses to start instead.
 */
export function requireInstallDirectory(): void {
  const missing = ['package.json', 'public', join('dist', 'web')].filter((path) => !existsSync(resolve(path)));
  if (missing.length > 0) {
    throw new StartupError(`run the service from its install directory (where package.json is): ${process.cwd()} has no ${missing.join(', ')}`);
  }
}

/**
 * Everything the app needs before Nest starts: the install directory, a database (`DATABASE_URL`, or an embedded
 * PostgreSQL under the data directory), its migrations applied, and the JWT secret.
 */
export async function prepareRuntime(config: AppConfig): Promise<{ config: AppConfigService; embedded?: EmbeddedDatabase }> {
  requireInstallDirectory();
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
      // Every worker connects to it with a pool of its own.
      maxConnections: maxConnectionsFor(config.workers, config.databasePoolSize),
      log: (message) => logger.log(message),
    });
    databaseUrl = embedded.url;
    // For psql (docs/database.md): the port is another at every start, the password stays in its file.
    const shown = new URL(databaseUrl);
    shown.password = '';
    logger.log(`the embedded PostgreSQL listens at ${shown.toString()} (its password is in ${embedded.passwordFile})`);
  }
  let applied: string[];
  try {
    applied = await runMigrations(databaseUrl);
  } catch (error) {
    await embedded?.stop().catch(() => undefined);
    throw new StartupError(describeDatabaseStartupError(error, databaseUrl, embedded ? 'embedded' : 'DATABASE_URL'), { cause: error });
  }
  if (applied.length > 0) logger.log(`applied migrations: ${applied.join(', ')}`);
  const jwtSecret = await resolveJwtSecret(config, databaseUrl);
  // Workers share the embedded database their primary started: only a process without them is alone on it.
  return {
    config: new AppConfigService({ ...config, databaseUrl, jwtSecret, aloneOnDatabase: embedded !== undefined && config.workers === 1 }),
    embedded,
  };
}
