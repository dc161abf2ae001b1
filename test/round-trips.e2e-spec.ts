import type { Pool, PoolClient } from 'pg';
import { QrSessionsService } from '@app/qr-sessions';
import { DesktopSocket } from './support/desktop-socket';
import { createQrSession, scan, signUpAndLogin, type SignedInDevice } from './support/factories';
import { heldLongPolls, startTestApp, type TestApp } from './support/test-app';

/**
 * Round trips to PostgreSQL per request that changes a QR session (issue 7: at most 3; one statement per transition,
 * its audit row and its event inside it). Counted on the app's own connection pool, with rate limits on as in
 * production. The counts are exact, so a change that adds a round trip fails here: if it is worth it, say so by
 * raising the number.
 */
describe('round trips to PostgreSQL per state transition', () => {
  let app: TestApp;
  let phone: SignedInDevice;
  const sent: string[] = [];
  /** Texts sent as named prepared statements (parsed and planned once per connection, not on every call). */
  const named = new Set<string>();
  const sockets: DesktopSocket[] = [];

  beforeAll(async () => {
    // No sweep during the test: only the requests' own statements are counted.
    app = await startTestApp({ RATE_LIMITS: 'on', EXPIRY_SWEEP_SECONDS: '3600' });
    const pool = (app.dataSource.driver as unknown as { master: Pool }).master;
    const counted = new WeakSet<PoolClient>();
    pool.on('acquire', (client) => {
      if (counted.has(client)) return;
      counted.add(client);
      const query = client.query.bind(client) as (...args: unknown[]) => unknown;
      (client as unknown as { query: (...args: unknown[]) => unknown }).query = (...args: unknown[]) => {
        const first = args[0] as string | { text?: string; name?: string };
        sent.push(typeof first === 'string' ? first : (first?.text ?? '?'));
        if (typeof first !== 'string' && first?.name) named.add(first.text ?? '?');
        return query(...args);
      };
    });
    phone = await signUpAndLogin(app, { displayName: 'Counted Phone' });
  });
  afterEach(() => sockets.splice(0).forEach((socket) => socket.close()));
  afterAll(() => app.close());

  /** The statements sent while `work` runs. */
  async function statementsOf(work: () => Promise<unknown>): Promise<string[]> {
    sent.length = 0;
    await work();
    return sent.splice(0);
  }

  const RATE_LIMIT = /rate_limit_counters/;
  const AUTH = /FROM access_tokens WHERE id = \$\d+/;
  /** A phone's transition, with its token check and its rate limit in the same statement. */
  const PHONE_TRANSITION = (statement: string) =>
    AUTH.test(statement) && RATE_LIMIT.test(statement) && /UPDATE qr_sessions[\s\S]*FROM caller/.test(statement);

  it('create, scan and confirm: one statement each, with the rate limit (and the token check) in it', async () => {
    let desktop!: Awaited<ReturnType<typeof createQrSession>>;
    const create = await statementsOf(async () => (desktop = await createQrSession(app)));
    expect(create).toHaveLength(1);
    expect(create[0]).toMatch(
      /rate_limit_counters[\s\S]*INSERT INTO qr_sessions[\s\S]*FROM within_limit[\s\S]*INSERT INTO qr_session_events[\s\S]*pg_notify/,
    );

    let ticket = '';
    const scanned = await statementsOf(async () => (ticket = (await scan(app, phone, desktop.session.id)).scanTicket));
    // A phone's request is checked and counted on its rate limit by the statement that changes the session.
    expect(scanned).toHaveLength(1);
    expect(PHONE_TRANSITION(scanned[0])).toBe(true);

    const confirmed = await statementsOf(() =>
      app.http().post(`/api/qr-sessions/${desktop.session.id}/confirm`).set(phone.headers).send({ scanTicket: ticket }).expect(200),
    );
    expect(confirmed).toHaveLength(1);
    // The check, the transition, the desktop's device and token, the audit row and both events (the change, the alert).
    const [statement] = confirmed;
    expect(PHONE_TRANSITION(statement)).toBe(true);
    for (const part of ['UPDATE qr_sessions', 'INSERT INTO devices', 'INSERT INTO access_tokens', 'INSERT INTO qr_session_events']) {
      expect(statement).toContain(part);
    }
    expect(statement).toContain("pg_notify('qr_session_events'");
    expect(statement).toContain("pg_notify('sign_in_alerts'");
  });

  it('the statements of a sign-in are named prepared statements, its rate limits too', async () => {
    const statements = await statementsOf(async () => {
      const desktop = await createQrSession(app);
      const { scanTicket } = await scan(app, phone, desktop.session.id);
      await app.http().post(`/api/qr-sessions/${desktop.session.id}/confirm`).set(phone.headers).send({ scanTicket }).expect(200);
      await app.http().get(`/api/qr-sessions/${desktop.session.id}`).set('X-QR-Secret', desktop.session.secret).expect(200);
    });
    // create, scan, confirm and the desktop's read: one statement each, which counts the request on its rate limit
    // (and checks the phone's token) as it does its work.
    expect(statements).toHaveLength(4);
    // One rate limit per request: create, scan, confirm, read.
    expect(statements.filter((sql) => RATE_LIMIT.test(sql))).toHaveLength(4);
    expect(statements.filter((sql) => !named.has(sql))).toEqual([]);
  });

  it("the desktop's read counts its rate limit in the statement that reads; a long-poll counts it first", async () => {
    const { session } = await createQrSession(app);
    const read = await statementsOf(() => app.http().get(`/api/qr-sessions/${session.id}`).set('X-QR-Secret', session.secret).expect(200));
    expect(read).toHaveLength(1);
    expect(read[0]).toMatch(/rate_limit_counters[\s\S]*FROM qr_sessions/);
    const longPoll = await statementsOf(() =>
      app.http().get(`/api/qr-sessions/${session.id}?since=scanned&wait=5`).set('X-QR-Secret', session.secret).expect(200),
    );
    expect(longPoll).toHaveLength(2);
  });

  it('reject, cancel and expire: one statement each', async () => {
    const first = await createQrSession(app);
    const { scanTicket } = await scan(app, phone, first.session.id);
    const rejected = await statementsOf(() =>
      app.http().post(`/api/qr-sessions/${first.session.id}/reject`).set(phone.headers).send({ scanTicket }).expect(200),
    );
    expect(rejected).toHaveLength(1);
    expect(PHONE_TRANSITION(rejected[0])).toBe(true);

    const second = await createQrSession(app);
    const cancelled = await statementsOf(() =>
      app.http().delete(`/api/qr-sessions/${second.session.id}`).set('X-QR-Secret', second.session.secret).expect(200),
    );
    expect(cancelled).toHaveLength(1);
    expect(cancelled[0]).toMatch(/rate_limit_counters[\s\S]*UPDATE qr_sessions SET status = 'cancelled'/);

    const third = await createQrSession(app);
    await app.dataSource.query(`UPDATE qr_sessions SET expires_at = now() - interval '1 second' WHERE id = $1`, [third.session.id]);
    const expired = await statementsOf(() => app.app.get(QrSessionsService).expire(third.session.id));
    expect(expired).toHaveLength(1);
  });

  it('a socket handshake reads once; the pushed events and a long-poll answer are not read again', async () => {
    const { session } = await createQrSession(app);
    let socket!: DesktopSocket;
    const handshake = await statementsOf(async () => {
      socket = await DesktopSocket.connect(app.url, { qrId: session.id, secret: session.secret });
      sockets.push(socket);
      await socket.next('status');
    });
    // One statement: the read that checks the secret counts the handshake on its rate limit, and is the first `status`.
    expect(handshake).toHaveLength(1);
    expect(handshake[0]).toMatch(/rate_limit_counters[\s\S]*FROM qr_sessions/);

    const held = app
      .http()
      .get(`/api/qr-sessions/${session.id}?since=pending&wait=10`)
      .set('X-QR-Secret', session.secret)
      .then((r) => r);
    await heldLongPolls(app, 1);
    let ticket = '';
    const scanned = await statementsOf(async () => {
      ticket = (await scan(app, phone, session.id)).scanTicket;
      expect((await held).body).toMatchObject({ status: 'scanned' });
      await socket.next('scanned');
    });
    expect(scanned).toHaveLength(1);

    const confirmed = await statementsOf(async () => {
      await app.http().post(`/api/qr-sessions/${session.id}/confirm`).set(phone.headers).send({ scanTicket: ticket }).expect(200);
      expect((await socket.next('confirmed')).login?.accessToken).toEqual(expect.any(String));
    });
    expect(confirmed).toHaveLength(1);
  });
});

describe('connections to PostgreSQL', () => {
  let app: TestApp;
  beforeAll(async () => (app = await startTestApp({ DATABASE_POOL_SIZE: '3' })));
  afterAll(() => app.close());

  it('a burst of requests runs on at most DATABASE_POOL_SIZE connections, each request answered', async () => {
    const desktop = await createQrSession(app);
    const reads = await Promise.all(
      Array.from({ length: 40 }, () => app.http().get(`/api/qr-sessions/${desktop.session.id}`).set('X-QR-Secret', desktop.session.secret)),
    );
    expect(reads.map((read) => read.status)).toEqual(Array(40).fill(200));
    // How many connections the burst opened depends on how its requests interleave (on a busy machine, fewer).
    const pool = (app.dataSource.driver as unknown as { master: Pool & { options: { max: number } } }).master;
    expect(pool.options.max).toBe(3);
    expect(pool.totalCount).toBeLessThanOrEqual(3);
    const [{ backends }] = await app.dataSource.query(
      `SELECT count(*)::int AS backends FROM pg_stat_activity WHERE datname = current_database() AND application_name = 'qr-login'`,
    );
    expect(backends).toBeLessThanOrEqual(3);
  });
});
