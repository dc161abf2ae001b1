// What the benchmark observes beside request timings: the health round trip as a latency baseline, and the database
// connections the server holds (read from PostgreSQL itself, not from the server's own account of them).
import { existsSync, readFileSync } from 'node:fs';
import { join } from 'node:path';
import pg from 'pg';
import { mapWithConcurrency, nowMs } from './pool.mjs';
import { percentile } from './stats.mjs';
import { embeddedPostgres } from './server.mjs';

/**
 * Round trips of `GET /api/health` at the given concurrency: the baseline of the latency scenarios, taken at the same
 * concurrency and the same moment as the requests they time.
 */
export async function healthLatency(api, { count, concurrency }) {
  const latencies = await mapWithConcurrency(Array.from({ length: count }), concurrency, async () => {
    const started = nowMs();
    await api.health();
    return nowMs() - started;
  });
  return { p50: percentile(latencies, 50), p95: percentile(latencies, 95) };
}

/** A connection of the benchmark's own to the server's embedded PostgreSQL (password as libs/database keeps it). */
export async function connectToServerDatabase(dataDir) {
  const postgres = embeddedPostgres(dataDir);
  if (!postgres) return null;
  // Generated once, beside the cluster (DATA_DIR/postgres-password); older clusters had the fixed one.
  const passwordFile = join(dataDir, 'postgres-password');
  const password = existsSync(passwordFile) ? readFileSync(passwordFile, 'utf8').trim() : 'postgres';
  const client = new pg.Client({
    host: '127.0.0.1',
    port: postgres.port,
    user: 'postgres',
    password,
    database: 'qr_login',
  });
  // The server stops its PostgreSQL at the end (or on Ctrl-C) while this connection may still be open.
  client.on('error', () => undefined);
  await client.connect();
  return client;
}

/** The server's connections to its database by state: `active` ones are running a statement right now. */
export async function serverConnections(client) {
  if (!client) return null;
  const { rows } = await client.query(
    `SELECT coalesce(state, 'unknown') AS state, count(*)::int AS n FROM pg_stat_activity
      WHERE datname = current_database() AND backend_type = 'client backend' AND pid <> pg_backend_pid()
      GROUP BY 1`,
  );
  const byState = Object.fromEntries(rows.map((row) => [row.state, row.n]));
  return { total: rows.reduce((sum, row) => sum + row.n, 0), active: byState.active ?? 0, idle: byState.idle ?? 0 };
}
