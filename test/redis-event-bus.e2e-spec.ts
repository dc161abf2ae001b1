import type { Namespace } from 'socket.io';
import request from 'supertest';
import { QR_NAMESPACE } from '@app/contract';
import { QrGateway } from '@app/realtime';
import { DesktopSocket } from './support/desktop-socket';
import { createQrSession, scan, signUpAndLogin, type HttpTarget } from './support/factories';
import { TestRedis } from './support/redis-server';
import { startServiceProcess, type ServiceProcess } from './support/service-process';
import { heldLongPolls, startTestApp, type TestApp } from './support/test-app';
import { createTestDatabase, type TestDatabase } from './support/test-database';

const JWT_SECRET = 'test-secret-that-is-long-enough-for-hs256-0123456789';

async function until(what: string, check: () => Promise<boolean>, timeoutMs = 15_000): Promise<void> {
  const deadline = Date.now() + timeoutMs;
  while (!(await check())) {
    if (Date.now() > deadline) throw new Error(`timed out waiting for ${what}`);
    await new Promise((resolve) => setTimeout(resolve, 100));
  }
}

const healthIs = (target: HttpTarget, status: number) => async () => (await target.http().get('/api/health')).status === status;

/**
 * REDIS_URL set: the event bus is Redis (a redis-server of the test's own, stopped and started again), with the
 * event outbox in PostgreSQL. Two API instances share one database and one Redis.
 */
describe('Redis as the event bus', () => {
  let db: TestDatabase;
  let redis: TestRedis;
  let a: TestApp;
  let b: TestApp;

  beforeAll(async () => {
    db = await createTestDatabase();
    redis = await TestRedis.start();
    a = await startTestApp({ REDIS_URL: redis.url }, db);
    b = await startTestApp({ REDIS_URL: redis.url }, db);
  });
  afterAll(async () => {
    await a?.close();
    await b?.close();
    await redis?.stop();
    await db?.drop();
  });

  it('carries every change to the other instance: sockets each event once, long-polls, and clears the outbox', async () => {
    const phone = await signUpAndLogin(a);
    const { session } = await createQrSession(a);
    const desktop = await DesktopSocket.connect(b.url, { qrId: session.id, secret: session.secret });
    try {
      await desktop.next('status');
      const waiting = b
        .http()
        .get(`/api/qr-sessions/${session.id}?since=pending&wait=20`)
        .set('X-QR-Secret', session.secret)
        .then((r) => r);
      await heldLongPolls(b, 1);
      const { scanTicket } = await scan(a, phone, session.id);
      expect((await waiting).body.status).toBe('scanned');
      await a.http().post(`/api/qr-sessions/${session.id}/confirm`).set(phone.headers).send({ scanTicket }).expect(200);
      expect((await desktop.next('confirmed')).login?.accessToken).toEqual(expect.any(String));
      // A later change of another session, once heard, shows that no repeat of the earlier ones is still on its way.
      const later = await createQrSession(b);
      const sentinel = await DesktopSocket.connect(b.url, { qrId: later.session.id, secret: later.session.secret });
      await sentinel.next('status');
      await a.http().delete(`/api/qr-sessions/${later.session.id}`).set('X-QR-Secret', later.session.secret).expect(200);
      await sentinel.next('cancelled');
      sentinel.close();
      expect(desktop.events()).toEqual(['status', 'scanned', 'confirmed']);
      await until('the outbox to be cleared', async () => (await a.dataSource.query('SELECT count(*)::int AS n FROM event_outbox'))[0].n === 0);
    } finally {
      desktop.close();
    }
  });

  it("checks a phone's token and counts its rate limit in the transaction with the outbox: a refusal changes nothing and is counted", async () => {
    const limited = await startTestApp({ REDIS_URL: redis.url, RATE_LIMITS: 'on' }, db);
    try {
      const phone = await signUpAndLogin(limited);
      const { session } = await createQrSession(limited);
      const { scanTicket } = await scan(limited, phone, session.id);
      const confirm = (headers: Record<string, string>) =>
        limited.http().post(`/api/qr-sessions/${session.id}/confirm`).set(headers).send({ scanTicket });
      const stateOf = async () =>
        (
          await limited.dataSource.query(
            `SELECT status, scan_ticket_used_at, (SELECT count(*)::int FROM qr_session_events WHERE qr_session_id = $1) AS events
               FROM qr_sessions WHERE id = $1`,
            [session.id],
          )
        )[0];
      const hits = async () => (await limited.dataSource.query(`SELECT hits FROM rate_limit_counters WHERE key LIKE 'phoneAction:%'`))[0].hits;
      const scanned = await stateOf();
      expect(scanned).toMatchObject({ status: 'scanned', scan_ticket_used_at: null });

      const jti = (JSON.parse(Buffer.from(phone.login.accessToken.split('.')[1], 'base64url').toString()) as { jti: string }).jti;
      await limited.dataSource.query(`UPDATE access_tokens SET revoked_at = now(), revoke_reason = 'logout' WHERE id = $1`, [jti]);
      expect((await confirm(phone.headers).expect(401)).body.code).toBe('token_revoked');
      expect(await stateOf()).toEqual(scanned);
      expect(await hits()).toBe(2);

      // The same device signed in again, past the limit: refused for the limit, and still nothing changed.
      const again = await limited
        .http()
        .post('/api/auth/login')
        .send({ username: phone.username, password: phone.password, device: { id: phone.deviceId, type: 'ios' } })
        .expect(200);
      const headers = { Authorization: `Bearer ${again.body.accessToken}`, 'X-Device-Id': phone.deviceId };
      await limited.dataSource.query(`UPDATE rate_limit_counters SET hits = 60 WHERE key LIKE 'phoneAction:%'`);
      expect((await confirm(headers).expect(429)).body.code).toBe('rate_limited');
      expect(await stateOf()).toEqual(scanned);

      await limited.dataSource.query(`DELETE FROM rate_limit_counters WHERE key LIKE 'phoneAction:%'`);
      await confirm(headers).expect(200);
      expect(await stateOf()).toMatchObject({ status: 'confirmed' });
    } finally {
      await limited.close();
    }
  });

  it('lets Socket.IO rooms span the instances (the Redis adapter)', async () => {
    const { session } = await createQrSession(a);
    const desktop = await DesktopSocket.connect(b.url, { qrId: session.id, secret: session.secret });
    try {
      await desktop.next('status');
      const namespaceOfA = (a.app.get(QrGateway) as unknown as { namespace: Namespace }).namespace;
      expect(namespaceOfA.name).toBe(QR_NAMESPACE);
      const inRoom = await namespaceOfA.in(session.id).fetchSockets();
      expect(inRoom.map((socket) => socket.id)).toEqual([desktop.socket.id]);
    } finally {
      desktop.close();
    }
  });

  it('answers 503 while Redis is down and recovers by itself when it is back', async () => {
    const phone = await signUpAndLogin(a);
    const before = await createQrSession(a);
    const watching = await DesktopSocket.connect(b.url, { qrId: before.session.id, secret: before.session.secret });
    try {
      await watching.next('status');
      await redis.stop();
      await until('a to notice', healthIs(a, 503));
      await until('b to notice', healthIs(b, 503));

      const create = await a
        .http()
        .post('/api/qr-sessions?image=none')
        .send({ device: { id: 'desk-during-outage', type: 'web' } });
      expect(create.status).toBe(503);
      expect(create.body).toMatchObject({ statusCode: 503, code: 'service_unavailable' });
      const poll = await b.http().get(`/api/qr-sessions/${before.session.id}?since=pending&wait=5`).set('X-QR-Secret', before.session.secret);
      expect(poll.status).toBe(503);
      expect(poll.body.code).toBe('service_unavailable');
      // Reading without waiting needs no bus.
      await b.http().get(`/api/qr-sessions/${before.session.id}`).set('X-QR-Secret', before.session.secret).expect(200);
      await expect(DesktopSocket.connect(b.url, { qrId: before.session.id, secret: before.session.secret })).rejects.toMatchObject({
        message: 'service_unavailable',
      });
      // A transition that would publish is refused whole: nothing changed.
      const scanned = await a.http().post(`/api/qr-sessions/${before.session.id}/scan`).set(phone.headers);
      expect(scanned.status).toBe(503);

      await redis.restart();
      await until('a to recover', healthIs(a, 200));
      await until('b to recover', healthIs(b, 200));
      // The socket that stayed connected to b hears what happens next, through Redis again.
      await scan(a, phone, before.session.id);
      expect((await watching.next('scanned')).status).toBe('scanned');
      const after = await createQrSession(a);
      const desktop = await DesktopSocket.connect(b.url, { qrId: after.session.id, secret: after.session.secret });
      await desktop.next('status');
      await scan(a, phone, after.session.id);
      await desktop.next('scanned');
      desktop.close();
    } finally {
      watching.close();
      await redis.restart().catch(() => undefined);
    }
  });
});

/**
 * The gap the outbox closes: a process commits a change and dies before its event reaches Redis. Here that process is
 * a real child process; Redis holds its PUBLISH (CLIENT PAUSE WRITE) until it has been killed, so the PUBLISH dies
 * with its connection. The event must still reach the desktop watching through the other process.
 */
describe('Redis event bus: a process that dies between its commit and its publish', () => {
  let db: TestDatabase;
  let redis: TestRedis;
  let doomed: ServiceProcess;
  let survivor: TestApp;

  beforeAll(async () => {
    db = await createTestDatabase();
    redis = await TestRedis.start();
    survivor = await startTestApp({ REDIS_URL: redis.url, JWT_SECRET }, db);
    doomed = await startServiceProcess({ REDIS_URL: redis.url, DATABASE_URL: db.url, JWT_SECRET });
  }, 120_000);
  afterAll(async () => {
    await doomed?.stop('SIGKILL');
    await survivor?.close();
    await redis?.stop();
    await db?.drop();
  });

  it('loses no event: another process publishes it from the outbox', async () => {
    const viaDoomed: HttpTarget = { http: () => request(doomed.url) };
    const phone = await signUpAndLogin(survivor);
    const { session } = await createQrSession(survivor);
    const desktop = await DesktopSocket.connect(survivor.url, { qrId: session.id, secret: session.secret });
    const control = redis.client();
    try {
      await desktop.next('status');
      await control.call('CLIENT', 'PAUSE', '60000', 'WRITE');
      // The scan commits (the answer says so) while its PUBLISH waits in Redis.
      await scan(viaDoomed, phone, session.id);
      expect(await doomed.stop('SIGKILL')).toEqual({ code: null, signal: 'SIGKILL' });
      const left = await survivor.dataSource.query(`SELECT payload->>'type' AS type FROM event_outbox WHERE payload->'session'->>'id' = $1`, [
        session.id,
      ]);
      expect(left).toEqual([{ type: 'scanned' }]);
      await control.call('CLIENT', 'UNPAUSE');
      const scanned = await desktop.next('scanned', 15_000);
      expect(scanned).toMatchObject({ id: session.id, status: 'scanned' });
      await until(
        'the outbox to be cleared',
        async () => (await survivor.dataSource.query('SELECT count(*)::int AS n FROM event_outbox'))[0].n === 0,
      );
      expect(desktop.events()).toEqual(['status', 'scanned']);
    } finally {
      await control.call('CLIENT', 'UNPAUSE').catch(() => undefined);
      control.disconnect();
      desktop.close();
    }
  });
});
