import { tmpdir } from 'node:os';
import { join } from 'node:path';

/** What the global setup hands to the test workers, through their environment. */
export const TEST_ENV = {
  /** A URL of the test server's maintenance database, with the right to create databases. */
  adminUrl: 'QR_TEST_ADMIN_URL',
  /** A database with every migration applied, cloned for each test file. */
  templateDatabase: 'QR_TEST_TEMPLATE_DB',
} as const;

export function databaseUrl(adminUrl: string, database: string): string {
  const url = new URL(adminUrl);
  url.pathname = `/${database}`;
  return url.toString();
}

/**
 * The file that tells a run's test workers that `nest build api` is done (service-process.ts); the global teardown
 * removes it.
 */
export const builtMarkerFor = (templateDatabase: string | undefined): string => join(tmpdir(), `qr-login-built-${templateDatabase}`);
