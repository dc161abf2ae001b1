import { rmSync } from 'node:fs';
import pg from 'pg';
import { builtMarkerFor, TEST_ENV } from './test-env';

/** Drops the run's template database, then removes the build marker and stops and removes the embedded server. */
export default async function globalTeardown(): Promise<void> {
  const adminUrl = process.env[TEST_ENV.adminUrl];
  const template = process.env[TEST_ENV.templateDatabase];
  try {
    if (adminUrl && template) {
      const admin = new pg.Client({ connectionString: adminUrl });
      await admin.connect();
      try {
        await admin.query(`DROP DATABASE IF EXISTS ${template} WITH (FORCE)`);
      } finally {
        await admin.end();
      }
    }
  } finally {
    if (template) rmSync(builtMarkerFor(template), { force: true });
    // The embedded server and its cluster (about 60 MB in the temporary directory).
    const embedded = globalThis.__QR_TEST_EMBEDDED__;
    if (embedded) {
      try {
        await embedded.database.stop();
      } finally {
        rmSync(embedded.dir, { recursive: true, force: true });
      }
    }
  }
}
