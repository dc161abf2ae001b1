import { randomUUID } from 'node:crypto';
import request from 'supertest';
import type { CreatedQrSession } from '@app/contract';
import { freePort } from '@app/database';
import { LOGIN_LOCKOUT } from '@app/rate-limits';
import { QrDesktopClient, type QrTransportMode, type QrWatch } from '@app/sdk';
import { WatchRecorder } from '../libs/sdk/src/testing/watch-recorder';
import { signUpAndLogin, uniqueName, type HttpTarget, type SignedInDevice } from './support/factories';
import { TestNginx } from './support/nginx-server';
import { TestRedis } from './support/redis-server';
import { startServiceProcess, type ServiceProcess } from './support/service-process';
import { createTestDatabase, type TestDatabase } from './support/test-database';

const JWT_SECRET = 'nginx-test-secret-that-is-long-enough-0123456789';

/**
 * The deployment of docker-compose.yml, on this machine: nginx with deploy/nginx.conf in front of three processes of
 * the built service (one database, Redis as the event bus, TRUST_PROXY=1, rate limits on), balanced round-robin with
 * no stickiness. Everything goes through nginx, as a user's traffic would.
 */
describe('three processes behind nginx (deploy/nginx.conf)', () => {
  let db: TestDatabase;
  let redis: TestRedis;
  let nginx: TestNginx;
  const services: ServiceProcess[] = [];
  let ports: number[];
  let env: (port: number) => Record<string, string>;
  const target: HttpTarget = { http: () => request(nginx.url) };
  const watches: QrWatch[] = [];

  beforeAll(async () => {
    db = await createTestDatabase();
    redis = await TestRedis.start();
    const nginxPort = await freePort();
    ports = [await freePort(), await freePort(), await freePort()];
    env = (port) => ({
      PORT: String(port),
      DATABASE_URL: db.url,
      REDIS_URL: redis.url,
      JWT_SECRET,
      TRUST_PROXY: '1',
      RATE_LIMITS: 'on',
      PUBLIC_URL: `http://127.0.0.1:${nginxPort}`,
    });
    services.push(...(await Promise.all(ports.map((port) => startServiceProcess(env(port))))));
    nginx = await TestNginx.start(ports, nginxPort);
  }, 180_000);
  afterEach(() => watches.splice(0).forEach((watch) => watch.stop()));
  afterAll(async () => {
    await nginx?.stop();
    await Promise.all(services.map((service) => service.stop('SIGKILL')));
    await redis?.stop();
    await db?.drop();
  });

  /** Sends through nginx with an X-Request-Id of its own and answers which process served it. */
  async function servedBy(send: (id: string) => PromiseLike<{ status: number }>): Promise<{ status: number; upstream: string }> {
    const id = randomUUID();
    const response = await send(id);
    return { status: response.status, upstream: (await nginx.logOf(id)).upstream };
  }

  /** The process (by its port) whose /qr namespace holds a socket now, read from each one's own /metrics. */
  async function socketHolders(): Promise<number[]> {
    const holders: number[] = [];
    for (const service of services) {
      const text = await fetch(`${service.url}/metrics`).then(
        (response) => response.text(),
        () => '',
      );
      const match = /qr_connected_sockets\{namespace="qr"\} (\d+)/.exec(text);
      if (match && Number(match[1]) > 0) holders.push(service.port);
    }
    return holders;
  }

  function desktopWatch(session: CreatedQrSession, transport: QrTransportMode, recorder: WatchRecorder): QrWatch {
    const desktop = new QrDesktopClient({ baseUrl: nginx.url });
    const handle = desktop.watch(session, { ...recorder.callbacks, transport, retryDelayMs: 200 });
    watches.push(handle);
    return handle;
  }

  async function newSession(): Promise<{ session: CreatedQrSession; desktopId: string }> {
    const desktopId = uniqueName('desk');
    const response = await target
      .http()
      .post('/api/qr-sessions?image=none')
      .send({ device: { id: desktopId, type: 'web', name: 'Browser' } })
      .expect(201);
    return { session: response.body as CreatedQrSession, desktopId };
  }

  const phoneAction = (phone: SignedInDevice, path: string, body?: object) => (id: string) =>
    target
      .http()
      .post(path)
      .set(phone.headers)
      .set('X-Request-Id', id)
      .send(body ?? {});

  async function expectSignedIn(handle: QrWatch, desktopId: string): Promise<void> {
    const outcome = await handle.done;
    if (outcome.reason !== 'completed') throw new Error(`the watch ended with ${JSON.stringify(outcome)}`);
    const login = outcome.snapshot.login!;
    expect(login.device.id).toBe(desktopId);
    for (let i = 0; i < 3; i++) {
      await target
        .http()
        .get('/api/me')
        .set({ Authorization: `Bearer ${login.accessToken}`, 'X-Device-Id': desktopId })
        .expect(200);
    }
  }

  it('balances requests round-robin over the three processes', async () => {
    const served = [];
    for (let i = 0; i < 6; i++) served.push(await servedBy((id) => target.http().get('/api/health').set('X-Request-Id', id)));
    expect(served.every((entry) => entry.status === 200)).toBe(true);
    const upstreams = served.map((entry) => entry.upstream);
    expect(new Set(upstreams)).toEqual(new Set(ports.map((port) => `127.0.0.1:${port}`)));
    // Round-robin: each process once in every three requests.
    expect(upstreams.slice(3)).toEqual(upstreams.slice(0, 3));
  });

  it("keeps /metrics to the processes themselves: through nginx it answers the contract's 404", async () => {
    // Every spelling the processes would take for it (their router ignores a trailing slash).
    for (const path of ['/metrics', '/metrics/', '/metrics%2F', '/metrics?x=1']) {
      const metrics = await target.http().get(path).expect(404);
      expect(metrics.body).toEqual({ statusCode: 404, code: 'not_found', message: expect.any(String) });
    }
    // Each process still answers it on its own port, where Prometheus scrapes it.
    await request(`http://127.0.0.1:${ports[0]}`).get('/metrics').expect(200);
  });

  it("signs a desktop in on Socket.IO (WebSocket), with the phone's requests served by the other processes", async () => {
    const phone = await signUpAndLogin(target);
    const { session, desktopId } = await newSession();
    const recorder = new WatchRecorder();
    const handle = desktopWatch(session, 'websocket', recorder);
    await recorder.until(1);
    const [holder] = await socketHolders();
    expect(holder).toEqual(expect.any(Number));
    const scanned = await servedBy(phoneAction(phone, `/api/qr-sessions/${session.id}/scan`));
    expect(scanned.status).toBe(200);
    await recorder.until(2);
    const ticket = (await target.http().post(`/api/qr-sessions/${session.id}/scan`).set(phone.headers).expect(200)).body.scanTicket;
    const confirmed = await servedBy(phoneAction(phone, `/api/qr-sessions/${session.id}/confirm`, { scanTicket: ticket }));
    expect(confirmed.status).toBe(200);
    await expectSignedIn(handle, desktopId);
    expect(recorder.types()).toEqual(['status', 'scanned', 'confirmed']);
    expect(recorder.events.every((event) => event.transport === 'websocket')).toBe(true);
    // Round-robin sent the phone's requests to different processes: at least one of them was not the desktop's.
    expect([scanned.upstream, confirmed.upstream].some((upstream) => upstream !== `127.0.0.1:${holder}`)).toBe(true);
  });

  it('signs a desktop in on long-poll, each poll and each phone request landing wherever nginx sends it', async () => {
    const phone = await signUpAndLogin(target);
    const { session, desktopId } = await newSession();
    const recorder = new WatchRecorder();
    const handle = desktopWatch(session, 'longpoll', recorder);
    await recorder.until(1);
    const scanned = await servedBy(phoneAction(phone, `/api/qr-sessions/${session.id}/scan`));
    expect(scanned.status).toBe(200);
    await recorder.until(2);
    const ticket = (await target.http().post(`/api/qr-sessions/${session.id}/scan`).set(phone.headers).expect(200)).body.scanTicket;
    expect((await servedBy(phoneAction(phone, `/api/qr-sessions/${session.id}/confirm`, { scanTicket: ticket }))).status).toBe(200);
    await expectSignedIn(handle, desktopId);
    expect(recorder.types()).toEqual(['status', 'scanned', 'confirmed']);
    const polls = nginx.accessLog().filter((line) => line.request.startsWith(`GET /api/qr-sessions/${session.id}?`));
    expect(polls.length).toBeGreaterThanOrEqual(2);
    const involved = new Set([...polls.map((line) => line.upstream), scanned.upstream]);
    expect(involved.size).toBeGreaterThanOrEqual(2);
  });

  it('counts rate limits across all processes', async () => {
    const username = uniqueName('limited');
    await target.http().post('/api/accounts').send({ username, password: 'correct horse battery' }).expect(201);
    const attempts = [];
    for (let i = 0; i <= LOGIN_LOCKOUT.freeFailures; i++) {
      attempts.push(
        await servedBy((id) =>
          target
            .http()
            .post('/api/auth/login')
            .set('X-Request-Id', id)
            .send({ username, password: `wrong password ${i}`, device: { id: uniqueName('ios'), type: 'ios' } }),
        ),
      );
    }
    // The login lockout counts failures per account and address in the shared database, wherever they land: past the
    // free ones, the next attempt (within a second of the last failure) is refused.
    expect(attempts.map((attempt) => attempt.status)).toEqual([...Array(LOGIN_LOCKOUT.freeFailures).fill(401), 429]);
    expect(new Set(attempts.map((attempt) => attempt.upstream)).size).toBe(3);
  });

  it('a process killed mid-flow: the desktop reconnects through nginx and is signed in', async () => {
    const phone = await signUpAndLogin(target);
    const { session, desktopId } = await newSession();
    const recorder = new WatchRecorder();
    const handle = desktopWatch(session, 'auto', recorder);
    await recorder.until(1);
    expect(handle.transport).toBe('websocket');
    const { scanTicket } = (await target.http().post(`/api/qr-sessions/${session.id}/scan`).set(phone.headers).expect(200)).body;
    await recorder.until(2);
    const holders = await socketHolders();
    expect(holders).toHaveLength(1);
    const victim = services.find((service) => service.port === holders[0])!;
    expect(await victim.stop('SIGKILL')).toEqual({ code: null, signal: 'SIGKILL' });

    // The desktop's socket dropped with its process; it reconnects through nginx to another one and catches up.
    const [, , again] = await recorder.until(3);
    expect(again).toMatchObject({ type: 'status', snapshot: { status: 'scanned' } });
    // The phone's confirm lands on a live process (nginx skips the dead one).
    await target.http().post(`/api/qr-sessions/${session.id}/confirm`).set(phone.headers).send({ scanTicket }).expect(200);
    await expectSignedIn(handle, desktopId);
    expect(recorder.types()).toEqual(['status', 'scanned', 'status', 'confirmed']);

    // Back to three for whatever runs next.
    services[services.indexOf(victim)] = await startServiceProcess(env(victim.port));
  });
});
