import { chmodSync, mkdtempSync, rmSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import pg from 'pg';
import { runMigrations, startEmbeddedPostgres, type EmbeddedDatabase } from '@app/database';
import { DesktopSocket } from './support/desktop-socket';
import { createQrSession, scan, signUpAndLogin } from './support/factories';
import { startTestApp, type TestApp } from './support/test-app';

/**
 * The database goes away and comes back (threat 11): the API answers 503 service_unavailable meanwhile, never 500,
 * and afterwards works again with nothing lost; a connected desktop is brought up to date by a fresh `status`.
 * This file runs its own PostgreSQL server so that it can stop it.
 */
describe('database outage', () => {
  let dir: string;
  let port: number;
  let server: EmbeddedDatabase;
  let app: TestApp;

  async function startServer(): Promise<void> {
    server = await startEmbeddedPostgres({ dataDir: join(dir, 'pg'), database: 'qr_login', port });
  }

  beforeAll(async () => {
    dir = mkdtempSync(join(tmpdir(), 'qr-login-faults-'));
    chmodSync(dir, 0o755);
    await startServer();
    port = Number(new URL(server.url).port);
    await runMigrations(server.url);
    app = await startTestApp({ DATABASE_URL: server.url }, { url: server.url, name: 'qr_login', drop: async () => undefined });
  }, 60_000);

  afterAll(async () => {
    await app?.close();
    await server?.stop();
    rmSync(dir, { recursive: true, force: true });
  });

  it('answers 503 while the database is down and recovers when it is back, without losing a session', async () => {
    const phone = await signUpAndLogin(app);
    const { session } = await createQrSession(app);
    const desktop = await DesktopSocket.connect(app.url, { qrId: session.id, secret: session.secret });
    try {
      await desktop.next('status');
      await server.stop();

      for (const response of [
        await app.http().get('/api/me').set(phone.headers),
        await app
          .http()
          .post('/api/qr-sessions?image=none')
          .send({ device: { id: 'desk-outage-01', type: 'pc' } }),
        await app.http().get(`/api/qr-sessions/${session.id}`).set('X-QR-Secret', session.secret),
        await app.http().get('/api/health'),
      ]) {
        expect({ status: response.status, code: response.body.code }).toEqual({ status: 503, code: 'service_unavailable' });
      }

      await startServer();
      // The event listener reconnects by itself, then the desktop gets a second, fresh status.
      expect(await desktop.nth('status', 2, 20_000)).toMatchObject({ id: session.id, status: 'pending' });

      const { scanTicket } = await scan(app, phone, session.id);
      await app.http().post(`/api/qr-sessions/${session.id}/confirm`).set(phone.headers).send({ scanTicket }).expect(200);
      expect((await desktop.next('confirmed')).login?.accessToken).toEqual(expect.any(String));
      await app.http().get('/api/health').expect(200);
    } finally {
      desktop.close();
    }
  }, 60_000);

  it('keeps the data of before the outage', async () => {
    const client = new pg.Client({ connectionString: server.url });
    await client.connect();
    try {
      const { rows } = await client.query(`SELECT count(*)::int AS n FROM qr_sessions WHERE status = 'confirmed'`);
      expect(rows[0].n).toBe(1);
    } finally {
      await client.end();
    }
  });
});
