import { mkdtempSync, rmSync, writeFileSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import request from 'supertest';
import { loadConfig } from '@app/config';
import { resolveJwtSecret } from '../apps/api/src/runtime';
import { signUpAndLogin, type HttpTarget } from './support/factories';
import { startServiceProcess, type ServiceProcess } from './support/service-process';
import { createTestDatabase, type TestDatabase } from './support/test-database';

/**
 * Contract §6: every process that shares a DATABASE_URL accepts the others' tokens, also when JWT_SECRET is unset.
 * The generated secret is kept in the database, created once by whichever process starts first.
 */
describe('JWT_SECRET unset', () => {
  let db: TestDatabase;
  const dirs: string[] = [];
  const dataDir = () => {
    const dir = mkdtempSync(join(tmpdir(), 'qr-login-jwt-'));
    dirs.push(dir);
    return dir;
  };

  beforeAll(async () => {
    db = await createTestDatabase();
  });
  afterAll(async () => {
    await db?.drop();
    for (const dir of dirs) rmSync(dir, { recursive: true, force: true });
  });

  it("two processes on one database, each with its own DATA_DIR, accept each other's tokens", async () => {
    const services: ServiceProcess[] = [];
    try {
      // Started together: both may race to create the secret, and must still agree.
      services.push(...(await Promise.all([1, 2].map(() => startServiceProcess({ DATABASE_URL: db.url, DATA_DIR: dataDir() })))));
      const [a, b] = services.map((service): HttpTarget => ({ http: () => request(service.url) }));
      const phone = await signUpAndLogin(a);
      await b.http().get('/api/me').set(phone.headers).expect(200);
      const other = await signUpAndLogin(b);
      await a.http().get('/api/me').set(other.headers).expect(200);
    } finally {
      await Promise.all(services.map((service) => service.stop()));
    }
  }, 180_000);

  it('keeps the secret of a DATA_DIR/jwt-secret left by an older version, so that its tokens stay valid', async () => {
    const fresh = await createTestDatabase();
    try {
      const dir = dataDir();
      writeFileSync(join(dir, 'jwt-secret'), 'an-older-secret-that-is-long-enough-0123456789\n');
      const config = loadConfig({ DATA_DIR: dir });
      expect(await resolveJwtSecret(config, fresh.url)).toBe('an-older-secret-that-is-long-enough-0123456789');
      // Another process, without that file, reads the same one from the database.
      expect(await resolveJwtSecret(loadConfig({ DATA_DIR: dataDir() }), fresh.url)).toBe('an-older-secret-that-is-long-enough-0123456789');
      // JWT_SECRET, when set, wins.
      expect(await resolveJwtSecret(loadConfig({ JWT_SECRET: 'x'.repeat(40) }), fresh.url)).toBe('x'.repeat(40));
    } finally {
      await fresh.drop();
    }
  });
});
