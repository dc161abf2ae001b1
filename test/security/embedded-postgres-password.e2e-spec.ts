import { chmodSync, mkdtempSync, readFileSync, rmSync, statSync, unlinkSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import pg from 'pg';
import { startEmbeddedPostgres } from '@app/database';

/** Tries to sign in to the server as its superuser with `password`; answers the SQLSTATE of the refusal, or 'ok'. */
async function signInWith(url: string, password: string): Promise<string> {
  const target = new URL(url);
  const client = new pg.Client({ host: target.hostname, port: Number(target.port), user: 'postgres', password, database: 'postgres' });
  try {
    await client.connect();
    return 'ok';
  } catch (error) {
    return (error as { code?: string }).code ?? String(error);
  } finally {
    await client.end().catch(() => undefined);
  }
}

/**
 * Issue 8 item 10: the embedded PostgreSQL listened on loopback with the fixed password `postgres`, so any local user
 * could connect. Its password is now generated on first start and kept beside the JWT secret (mode 0600); a cluster
 * made before that gets its fixed password replaced.
 */
describe('the embedded PostgreSQL password', () => {
  const dir = mkdtempSync(join(tmpdir(), 'qr-login-pgpass-'));
  // Reachable by the postgres user when run as root, so that the cluster and its password stay here (a private
  // directory moves both out: test/embedded-postgres.e2e-spec.ts).
  chmodSync(dir, 0o755);
  const passwordFile = join(dir, 'postgres-password');
  afterAll(() => rmSync(dir, { recursive: true, force: true }));

  it('is generated on first start, kept with mode 0600, and the fixed one is refused', async () => {
    const db = await startEmbeddedPostgres({ dataDir: join(dir, 'postgres'), database: 'qr_login', passwordFile });
    try {
      const password = readFileSync(passwordFile, 'utf8').trim();
      expect(statSync(passwordFile).mode & 0o777).toBe(0o600);
      expect(Buffer.from(password, 'base64url').length).toBeGreaterThanOrEqual(16);
      expect(decodeURIComponent(new URL(db.url).password)).toBe(password);
      expect(await signInWith(db.url, 'postgres')).toBe('28P01');
      expect(await signInWith(db.url, password)).toBe('ok');
    } finally {
      await db.stop();
    }
    // A restart finds the same password.
    const again = await startEmbeddedPostgres({ dataDir: join(dir, 'postgres'), database: 'qr_login', passwordFile });
    await again.stop();
  });

  it('replaces the fixed password of a cluster made before, on its next start', async () => {
    const first = await startEmbeddedPostgres({ dataDir: join(dir, 'postgres'), database: 'qr_login', passwordFile });
    // Turn the cluster into one of the old kind: the fixed password, and no password file.
    const admin = new pg.Client(first.url.replace('/qr_login', '/postgres'));
    await admin.connect();
    await admin.query(`ALTER ROLE postgres PASSWORD 'postgres'`);
    await admin.end();
    await first.stop();
    unlinkSync(passwordFile);

    const upgraded = await startEmbeddedPostgres({ dataDir: join(dir, 'postgres'), database: 'qr_login', passwordFile });
    try {
      const password = readFileSync(passwordFile, 'utf8').trim();
      expect(await signInWith(upgraded.url, 'postgres')).toBe('28P01');
      expect(await signInWith(upgraded.url, password)).toBe('ok');
    } finally {
      await upgraded.stop();
    }
  });
});
