import { randomBytes } from 'node:crypto';
import pg from 'pg';
import { runMigrations } from '@app/database';
import { databaseUrl, TEST_ENV } from './test-env';

export interface TestDatabase {
  url: string;
  name: string;
  drop(): Promise<void>;
}

function adminUrl(): string {
  const url = process.env[TEST_ENV.adminUrl];
  if (!url) throw new Error('The e2e global setup did not run (QR_TEST_ADMIN_URL is unset)');
  return url;
}

async function withAdmin<T>(work: (client: pg.Client) => Promise<T>): Promise<T> {
  const client = new pg.Client({ connectionString: adminUrl() });
  await client.connect();
  try {
    return await work(client);
  } finally {
    await client.end();
  }
}

const TEMPLATE_LOCK = 72_519_001;
let templateReady: Promise<void> | undefined;

/**
 * Applies the migrations to the template database, once per run: workers serialise on an advisory lock and the
 * first one does the work (later ones find nothing pending). They wait on the maintenance database, not on the
 * template as runMigrations' own lock would have them do: no one may be connected to a database while it is cloned.
 */
function migrateTemplateOnce(): Promise<void> {
  templateReady ??= withAdmin(async (client) => {
    await client.query('SELECT pg_advisory_lock($1)', [TEMPLATE_LOCK]);
    try {
      await runMigrations(databaseUrl(adminUrl(), process.env[TEST_ENV.templateDatabase]!));
    } finally {
      await client.query('SELECT pg_advisory_unlock($1)', [TEMPLATE_LOCK]);
    }
  });
  return templateReady;
}

/**
 * A fresh database of its own for a test file: cloned from the run's template (the migrated schema), or empty
 * (for the migration tests).
 */
export async function createTestDatabase(options: { empty?: boolean } = {}): Promise<TestDatabase> {
  if (!options.empty) await migrateTemplateOnce();
  const name = `qr_login_test_${randomBytes(6).toString('hex')}`;
  const template = options.empty ? '' : ` TEMPLATE ${process.env[TEST_ENV.templateDatabase]}`;
  await withAdmin((client) => client.query(`CREATE DATABASE ${name}${template}`));
  return {
    name,
    url: databaseUrl(adminUrl(), name),
    drop: async () => {
      await withAdmin((client) => client.query(`DROP DATABASE IF EXISTS ${name} WITH (FORCE)`));
    },
  };
}
