import { chmodSync, mkdtempSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import pg from 'pg';
// Jest loads this file outside its module map, so it imports by relative path and nothing that uses @app/ aliases.
import { startEmbeddedPostgres, type EmbeddedDatabase } from '../../libs/database/src/embedded-postgres';
import { buildWeb } from '../../scripts/build-web.mjs';
import { TEST_ENV } from './test-env';

declare global {
  /** The run's embedded PostgreSQL and the directory it lives in, which the global teardown stops and removes. */
  var __QR_TEST_EMBEDDED__: { database: EmbeddedDatabase; dir: string } | undefined;
}

/**
 * One PostgreSQL server for the whole run: `DATABASE_URL` when it is set, otherwise an embedded one in a fresh
 * directory on a free port. It creates an empty template database; the first test worker migrates it (see
 * test-database.ts) and every test file then clones it: fast, and each file gets a schema built by the real migrations.
 */
export default async function globalSetup(): Promise<void> {
  // The desktop page's script, as `npm run build` makes it: the browser tests load it.
  await buildWeb();
  let adminUrl: string;
  if (process.env.DATABASE_URL) {
    adminUrl = process.env.DATABASE_URL;
    console.log(`\n[tests] PostgreSQL from DATABASE_URL (${new URL(adminUrl).host})`);
  } else {
    const root = mkdtempSync(join(tmpdir(), 'qr-login-test-'));
    // As root the server runs as the postgres user, which must be able to reach its directory.
    chmodSync(root, 0o755);
    const embedded = await startEmbeddedPostgres({ dataDir: join(root, 'pg'), database: 'postgres' });
    globalThis.__QR_TEST_EMBEDDED__ = { database: embedded, dir: root };
    adminUrl = embedded.url;
    console.log(`\n[tests] embedded PostgreSQL on ${new URL(adminUrl).host} (DATABASE_URL is unset)`);
  }
  const template = `qr_login_template_${process.pid}`;
  const admin = new pg.Client({ connectionString: adminUrl });
  await admin.connect();
  try {
    await admin.query(`DROP DATABASE IF EXISTS ${template}`);
    await admin.query(`CREATE DATABASE ${template}`);
  } finally {
    await admin.end();
  }
  process.env[TEST_ENV.adminUrl] = adminUrl;
  process.env[TEST_ENV.templateDatabase] = template;
}
