import { createHash } from 'node:crypto';
import { io } from 'socket.io-client';
import { ADMIN_NAMESPACE, type AdminQrSession } from '@app/contract';
import { QrRetentionJob } from '@app/qr-sessions';
import { createQrSession, loginAs, scan, signUpAndLogin, type SignedInDevice } from './support/factories';
import { DesktopSocket } from './support/desktop-socket';
import { heldLongPolls, startTestApp, type TestApp } from './support/test-app';
import { createTestDatabase, type TestDatabase } from './support/test-database';

const ADMIN = { username: 'root-admin', password: 'admin password 123' };

/** Contract §5: the operator's view of who signed in where, and how. */
describe('admin', () => {
  let db: TestDatabase;
  let app: TestApp;
  let admin: SignedInDevice;
  /** Every secret value this file creates: no admin answer may contain any of them. */
  const secrets = new Set<string>();
  const adminAnswers: string[] = [];

  async function asAdmin(path: string, method: 'get' | 'post' = 'get') {
    const response = await app.http()[method](path).set(admin.headers);
    adminAnswers.push(JSON.stringify(response.body));
    return response;
  }

  async function signInDesktop(phone: SignedInDevice, outcome: 'confirmed' | 'rejected' | 'scanned' | 'pending' | 'cancelled') {
    const desktop = await createQrSession(app);
    secrets.add(desktop.session.secret).add(createHash('sha256').update(desktop.session.secret).digest('hex'));
    if (outcome === 'cancelled') {
      await app.http().delete(`/api/qr-sessions/${desktop.session.id}`).set('X-QR-Secret', desktop.session.secret).expect(200);
    }
    if (outcome === 'pending' || outcome === 'cancelled') return desktop;
    const { scanTicket } = await scan(app, phone, desktop.session.id);
    secrets.add(scanTicket).add(createHash('sha256').update(scanTicket).digest('hex'));
    if (outcome === 'scanned') return desktop;
    const verb = outcome === 'confirmed' ? 'confirm' : 'reject';
    await app.http().post(`/api/qr-sessions/${desktop.session.id}/${verb}`).set(phone.headers).send({ scanTicket }).expect(200);
    if (outcome === 'confirmed') {
      const snapshot = await app.http().get(`/api/qr-sessions/${desktop.session.id}`).set('X-QR-Secret', desktop.session.secret);
      secrets.add(snapshot.body.login.accessToken);
    }
    return desktop;
  }

  beforeAll(async () => {
    db = await createTestDatabase();
    app = await startTestApp(
      { ADMIN_USERNAME: ADMIN.username, ADMIN_PASSWORD: ADMIN.password, RETENTION_DAYS: '1', SOCKET_RECHECK_SECONDS: '1' },
      db,
    );
    admin = await loginAs(app, ADMIN.username, ADMIN.password, 'web');
    secrets.add(admin.login.accessToken);
  });
  afterAll(async () => {
    await app.close();
    await db.drop();
  });

  it('creates the admin account from ADMIN_USERNAME / ADMIN_PASSWORD', async () => {
    const [row] = await app.dataSource.query('SELECT role FROM accounts WHERE username = $1', [ADMIN.username]);
    expect(row.role).toBe('admin');
  });

  it('answers forbidden to non-admins and unauthorized to strangers on every admin route', async () => {
    const user = await signUpAndLogin(app);
    secrets.add(user.login.accessToken);
    const routes: Array<['get' | 'post', string]> = [
      ['get', '/api/admin/qr-sessions'],
      ['get', '/api/admin/qr-sessions/AAAAAAAAAAAAAAAAAAAAAA'],
      ['get', `/api/admin/devices?accountId=${user.login.account.id}`],
      ['post', `/api/admin/devices/${user.login.account.id}/${user.deviceId}/revoke`],
      ['get', '/api/admin/accounts'],
      ['get', '/api/admin/stats/sign-ins'],
      ['get', '/api/admin/stats/live'],
    ];
    for (const [method, path] of routes) {
      const forbidden = await app.http()[method](path).set(user.headers);
      expect({ path, status: forbidden.status, code: forbidden.body.code }).toEqual({ path, status: 403, code: 'forbidden' });
      const stranger = await app.http()[method](path);
      expect({ path, status: stranger.status, code: stranger.body.code }).toEqual({ path, status: 401, code: 'unauthorized' });
    }
    // The forbidden revoke did nothing.
    await app.http().get('/api/me').set(user.headers).expect(200);
  });

  it('lists sessions newest first, filtered by status, account and time, in pages that match the database', async () => {
    const alice = await signUpAndLogin(app);
    const bob = await signUpAndLogin(app);
    await signInDesktop(bob, 'pending'); // one session before `start`, for the `to` filter
    const [{ start }] = await app.dataSource.query(`SELECT to_char(clock_timestamp() AT TIME ZONE 'UTC', 'YYYY-MM-DD"T"HH24:MI:SS.US"Z"') AS start`);
    for (const outcome of ['confirmed', 'rejected', 'confirmed', 'scanned', 'confirmed'] as const) await signInDesktop(alice, outcome);
    await signInDesktop(bob, 'confirmed');
    await signInDesktop(bob, 'cancelled');

    const confirmedOfAlice = await asAdmin(`/api/admin/qr-sessions?status=confirmed&accountId=${alice.login.account.id}`);
    expect(confirmedOfAlice.status).toBe(200);
    const expected: Array<{ id: string }> = await app.dataSource.query(
      `SELECT id FROM qr_sessions WHERE status = 'confirmed' AND scanned_by_account_id = $1 ORDER BY created_at DESC, id DESC`,
      [alice.login.account.id],
    );
    expect(confirmedOfAlice.body.items.map((item: AdminQrSession) => item.id)).toEqual(expected.map((row) => row.id));
    expect(confirmedOfAlice.body.items).toHaveLength(3);
    expect(confirmedOfAlice.body.nextCursor ?? null).toBeNull();
    expect(confirmedOfAlice.body.items[0]).toMatchObject({
      status: 'confirmed',
      account: { id: alice.login.account.id, username: alice.username },
      phone: { deviceId: alice.deviceId, type: 'ios' },
      desktop: { type: 'web', ip: '127.0.0.1', userAgent: 'DesktopTest/1.0' },
      loginIssued: true,
    });

    // Walk every page of everything created since `start`, two at a time.
    const seen: string[] = [];
    let cursor: string | null = null;
    do {
      const page = await asAdmin(`/api/admin/qr-sessions?from=${encodeURIComponent(start)}&limit=2${cursor ? `&cursor=${cursor}` : ''}`);
      expect(page.status).toBe(200);
      expect(page.body.items.length).toBeLessThanOrEqual(2);
      seen.push(...page.body.items.map((item: AdminQrSession) => item.id));
      cursor = page.body.nextCursor ?? null;
    } while (cursor);
    const all: Array<{ id: string }> = await app.dataSource.query(
      `SELECT id FROM qr_sessions WHERE created_at >= $1 ORDER BY created_at DESC, id DESC`,
      [start],
    );
    expect(seen).toEqual(all.map((row) => row.id));
    expect(seen).toHaveLength(7);

    const before = await asAdmin(`/api/admin/qr-sessions?to=${encodeURIComponent(start)}&limit=200`);
    const beforeStart: Array<{ id: string }> = await app.dataSource.query(
      `SELECT id FROM qr_sessions WHERE created_at < $1 ORDER BY created_at DESC, id DESC LIMIT 200`,
      [start],
    );
    expect(before.body.items.map((item: AdminQrSession) => item.id)).toEqual(beforeStart.map((row) => row.id));
    expect(before.body.items.length).toBeGreaterThan(0);

    // Empty parameters, as in the contract's `?status=&accountId=&from=&to=&limit=&cursor=`, mean no filter.
    const unfiltered = await asAdmin('/api/admin/qr-sessions?status=&accountId=&from=&to=&limit=&cursor=');
    expect(unfiltered.status).toBe(200);
    expect(unfiltered.body.items).toHaveLength(Math.min(50, (await app.dataSource.query('SELECT id FROM qr_sessions')).length));
  });

  it('shows one session with its whole audit trail, oldest first', async () => {
    const carol = await signUpAndLogin(app);
    const { session, deviceId } = await signInDesktop(carol, 'confirmed');
    const response = await asAdmin(`/api/admin/qr-sessions/${session.id}`);
    expect(response.status).toBe(200);
    expect(response.body).toMatchObject({ id: session.id, status: 'confirmed', desktop: { deviceId } });
    expect(response.body.events.map((event: { type: string }) => event.type)).toEqual(['created', 'scanned', 'confirmed']);
    expect(response.body.events[0]).toEqual({ type: 'created', at: expect.any(String), ip: '127.0.0.1', userAgent: 'DesktopTest/1.0', deviceId });
    expect(response.body.events[2]).toMatchObject({ accountId: carol.login.account.id, deviceId: carol.deviceId });
    const missing = await asAdmin('/api/admin/qr-sessions/AAAAAAAAAAAAAAAAAAAAAA');
    expect(missing.body.code).toBe('qr_not_found');
  });

  it("lists an account's devices with their tokens, and revoking one kills its token at once", async () => {
    const dave = await signUpAndLogin(app);
    const { session } = await signInDesktop(dave, 'confirmed');
    const devices = await asAdmin(`/api/admin/devices?accountId=${dave.login.account.id}`);
    expect(devices.status).toBe(200);
    const phone = devices.body.items.find((item: { id: string }) => item.id === dave.deviceId);
    expect(phone).toMatchObject({ type: 'ios', signedOutAt: null, tokens: [{ grant: 'password', state: 'active', revokedAt: null }] });
    const desktopRow = devices.body.items.find((item: { type: string }) => item.type === 'web');
    expect(desktopRow.tokens).toEqual([expect.objectContaining({ grant: 'qr', state: 'active' })]);

    const revoked = await asAdmin(`/api/admin/devices/${dave.login.account.id}/${dave.deviceId}/revoke`, 'post');
    expect(revoked.status).toBe(200);
    expect(revoked.body).toEqual({ accountId: dave.login.account.id, deviceId: dave.deviceId, revokedTokens: 1 });
    const after = await app.http().get('/api/me').set(dave.headers).expect(401);
    expect(after.body.code).toBe('token_revoked');
    const listed = await asAdmin(`/api/admin/devices?accountId=${dave.login.account.id}`);
    expect(listed.body.items.find((item: { id: string }) => item.id === dave.deviceId).tokens[0]).toMatchObject({
      state: 'revoked',
      revokeReason: 'admin',
    });
    // Only the phone's device was revoked: the desktop it signed in keeps its token.
    const desktopAfter = listed.body.items.find((item: { type: string }) => item.type === 'web');
    expect(desktopAfter.tokens).toEqual([expect.objectContaining({ grant: 'qr', state: 'active' })]);
    expect((await asAdmin(`/api/admin/qr-sessions/${session.id}`)).body).toMatchObject({ status: 'confirmed', loginIssued: true });
    const unknown = await asAdmin(`/api/admin/devices/${dave.login.account.id}/no-such-device/revoke`, 'post');
    expect(unknown.body.code).toBe('not_found');
  });

  it('rejects malformed admin queries with validation_failed', async () => {
    for (const path of [
      '/api/admin/qr-sessions?status=done',
      '/api/admin/qr-sessions?accountId=alice',
      '/api/admin/qr-sessions?from=yesterday',
      '/api/admin/qr-sessions?limit=0',
      '/api/admin/qr-sessions?limit=1000',
      '/api/admin/qr-sessions?cursor=bm90LWEtY3Vyc29y',
      '/api/admin/qr-sessions?from=2026-02-01T00:00:00Z&to=2026-01-01T00:00:00Z',
      '/api/admin/devices',
      '/api/admin/qr-sessions/short',
      '/api/admin/stats/sign-ins?range=1y',
      '/api/admin/stats/sign-ins?range=24h&colour=red',
    ]) {
      const response = await asAdmin(path);
      expect({ path, status: response.status, code: response.body.code }).toEqual({ path, status: 400, code: 'validation_failed' });
    }
  });

  it('pushes every session change to admin sockets, and refuses non-admins at the handshake', async () => {
    const user = await signUpAndLogin(app);
    const refused = io(`${app.url}${ADMIN_NAMESPACE}`, {
      auth: { accessToken: user.login.accessToken, deviceId: user.deviceId },
      transports: ['websocket'],
      reconnection: false,
    });
    await expect(
      new Promise((resolve, reject) => {
        refused.once('connect', () => resolve('connected'));
        refused.once('connect_error', reject);
      }),
    ).rejects.toMatchObject({ message: 'forbidden' });
    refused.close();

    const socket = io(`${app.url}${ADMIN_NAMESPACE}`, {
      auth: { accessToken: admin.login.accessToken, deviceId: admin.deviceId },
      transports: ['websocket'],
      reconnection: false,
    });
    try {
      await new Promise<void>((resolve, reject) => {
        socket.once('connect', resolve);
        socket.once('connect_error', reject);
      });
      const heard = new Promise((resolve) => socket.once('qr_session', resolve));
      const { session } = await createQrSession(app);
      const change = await heard;
      adminAnswers.push(JSON.stringify(change));
      expect(change).toEqual({ type: 'created', id: session.id, status: 'pending' });
    } finally {
      socket.close();
    }
  });

  it('keeps the views readable and answering rows this test created', async () => {
    const erin = await signUpAndLogin(app);
    const { session } = await signInDesktop(erin, 'confirmed');
    const [signIn] = await app.dataSource.query('SELECT * FROM qr_sign_ins WHERE id = $1', [session.id]);
    expect(signIn).toMatchObject({ status: 'confirmed', username: erin.username, phone_client_device_id: erin.deviceId, desktop_device_type: 'web' });
    const perDay = await app.dataSource.query(`SELECT outcome, sessions::int FROM qr_sign_ins_per_day WHERE day = (now() AT TIME ZONE 'UTC')::date`);
    expect(perDay).toEqual(expect.arrayContaining([{ outcome: 'confirmed', sessions: expect.any(Number) }]));
    const methods = await app.dataSource.query(`SELECT method FROM sign_ins_per_day WHERE day = (now() AT TIME ZONE 'UTC')::date ORDER BY method`);
    expect(methods.map((row: { method: string }) => row.method)).toEqual(['password', 'qr']);
    const devices = await app.dataSource.query(
      'SELECT client_device_id, active_tokens::int FROM signed_in_devices WHERE username = $1 ORDER BY type',
      [erin.username],
    );
    expect(devices).toEqual([
      { client_device_id: erin.deviceId, active_tokens: 1 },
      { client_device_id: expect.any(String), active_tokens: 1 },
    ]);
    const [comment] = await app.dataSource.query(`SELECT obj_description('qr_sessions'::regclass) AS text`);
    expect(comment.text).toMatch(/QR sign-in attempts/);
  });

  it('skips the retention run while another process holds the lock', async () => {
    const holder = await app.dataSource.createQueryRunner();
    await holder.connect();
    try {
      await holder.startTransaction();
      await holder.query('SELECT pg_advisory_xact_lock(72519101)');
      const other = await startTestApp({ RETENTION_DAYS: '1' }, db);
      try {
        expect(await Promise.all([app.app.get(QrRetentionJob).runOnce(), other.app.get(QrRetentionJob).runOnce()])).toEqual([
          { skipped: true },
          { skipped: true },
        ]);
      } finally {
        await other.close();
      }
      await holder.rollbackTransaction();
    } finally {
      await holder.release();
    }
  });

  it('deletes finished sessions past retention once, across two processes, and keeps the rest', async () => {
    await app.dataSource.query(`
      INSERT INTO qr_sessions (id, secret_hash, status, desktop_client_device_id, desktop_device_type, created_at, expires_at)
      SELECT 'old' || lpad(n::text, 19, '0'), repeat('0', 64), (ARRAY['confirmed','rejected','cancelled','expired'])[1 + n % 4]::qr_session_status,
             'desk-retention', 'pc', now() - interval '3 days', now() - interval '3 days' + interval '2 minutes'
        FROM generate_series(1, 40) AS n`);
    // Finished, but within the retention period.
    await app.dataSource.query(`
      INSERT INTO qr_sessions (id, secret_hash, status, desktop_client_device_id, desktop_device_type, created_at, expires_at)
      SELECT 'new' || lpad(n::text, 19, '0'), repeat('0', 64), 'expired', 'desk-retention', 'pc', now() - interval '20 hours', now() - interval '19 hours'
        FROM generate_series(1, 3) AS n`);
    // Old but still open (no process has expired them yet): not the retention job's to delete.
    await app.dataSource.query(`
      INSERT INTO qr_sessions (id, secret_hash, status, desktop_client_device_id, desktop_device_type, created_at, expires_at)
      VALUES ('openOldSession00000001', repeat('0', 64), 'pending', 'desk-retention', 'pc', now() - interval '3 days', now() + interval '1 minute')`);
    await app.dataSource.query(
      `INSERT INTO qr_session_events (qr_session_id, type, occurred_at) SELECT id, 'created', created_at FROM qr_sessions WHERE id LIKE 'old%'`,
    );
    const other = await startTestApp({ RETENTION_DAYS: '1' }, db);
    try {
      const runs = await Promise.all([app.app.get(QrRetentionJob).runOnce(), other.app.get(QrRetentionJob).runOnce()]);
      const deleted = runs.reduce((sum, run) => sum + (run.skipped ? 0 : run.deleted), 0);
      expect(deleted).toBe(40);
    } finally {
      await other.close();
    }
    const [left] = await app.dataSource.query(
      `SELECT count(*)::int AS sessions, (SELECT count(*)::int FROM qr_session_events WHERE qr_session_id LIKE 'old%') AS events FROM qr_sessions WHERE id LIKE 'old%'`,
    );
    expect(left).toEqual({ sessions: 0, events: 0 });
    const [open] = await app.dataSource.query(`SELECT status FROM qr_sessions WHERE id = 'openOldSession00000001'`);
    expect(open.status).toBe('pending');
    const [recent] = await app.dataSource.query(`SELECT count(*)::int AS n FROM qr_sessions WHERE id LIKE 'new%'`);
    expect(recent.n).toBe(3);
  });

  it('ends the live feed of an admin device once its token is revoked', async () => {
    const second = await loginAs(app, ADMIN.username, ADMIN.password, 'web');
    const socket = io(`${app.url}${ADMIN_NAMESPACE}`, {
      auth: { accessToken: second.login.accessToken, deviceId: second.deviceId },
      transports: ['websocket'],
      reconnection: false,
    });
    await new Promise<void>((resolve, reject) => {
      socket.once('connect', resolve);
      socket.once('connect_error', reject);
    });
    socket.onAny((event, payload) => adminAnswers.push(JSON.stringify({ event, payload })));
    const disconnected = new Promise((resolve) => socket.once('disconnect', resolve));
    await app.http().post('/api/auth/logout').set(second.headers).expect(204);
    expect(await disconnected).toBe('io server disconnect');
  });

  it('lists accounts for the admin page', async () => {
    const found = await asAdmin(`/api/admin/accounts?query=${ADMIN.username}`);
    expect(found.body.items).toEqual([expect.objectContaining({ username: ADMIN.username, role: 'admin' })]);
    expect((await asAdmin('/api/admin/accounts')).body.items.length).toBeGreaterThan(5);
  });

  it('counts sessions that ended per hour by outcome, over the last 24 hours and 7 days, from the audit trail', async () => {
    const before = (await asAdmin('/api/admin/stats/sign-ins')).body;
    const phone = await signUpAndLogin(app);
    const confirmed = await signInDesktop(phone, 'confirmed');
    await signInDesktop(phone, 'confirmed');
    await signInDesktop(phone, 'rejected');
    await signInDesktop(phone, 'cancelled');
    await signInDesktop(phone, 'pending');
    // An expiry now, and a sign-in 30 hours ago: in the 7-day chart only, in its own hour.
    const id = confirmed.session.id;
    await app.dataSource.query(`INSERT INTO qr_session_events (qr_session_id, type, occurred_at) VALUES ($1, 'expired', now())`, [id]);
    await app.dataSource.query(
      `INSERT INTO qr_session_events (qr_session_id, type, occurred_at)
       VALUES ($1, 'confirmed', date_trunc('hour', now(), 'UTC') - interval '30 hours' + interval '10 minutes'),
              ($1, 'scanned', date_trunc('hour', now(), 'UTC') - interval '30 hours' + interval '5 minutes')`,
      [id],
    );

    const day = await asAdmin('/api/admin/stats/sign-ins?range=24h');
    expect(day.status).toBe(200);
    expect(day.body).toMatchObject({ range: '24h', bucketSeconds: 3600 });
    expect(day.body.hours).toHaveLength(24);
    const starts: number[] = day.body.hours.map((hour: { start: string }) => Date.parse(hour.start));
    expect(starts.every((start, i) => i === 0 || start - starts[i - 1] === 3_600_000)).toBe(true);
    expect(Date.parse(day.body.to) - Date.parse(day.body.from)).toBe(24 * 3_600_000);
    expect(Date.parse(day.body.to)).toBeGreaterThan(Date.now() - 60_000);
    // What this test made, and nothing of what it did not (created, scanned, pending).
    const delta = Object.fromEntries(
      (['confirmed', 'rejected', 'expired', 'cancelled'] as const).map((outcome) => [outcome, day.body.totals[outcome] - before.totals[outcome]]),
    );
    expect(delta).toEqual({ confirmed: 2, rejected: 1, expired: 1, cancelled: 1 });
    // The totals are the sum of the hours, and the database agrees with both.
    const summed = { confirmed: 0, rejected: 0, expired: 0, cancelled: 0 };
    for (const hour of day.body.hours) for (const outcome of Object.keys(summed) as Array<keyof typeof summed>) summed[outcome] += hour[outcome];
    expect(summed).toEqual(day.body.totals);
    const [counted] = await app.dataSource.query(
      `SELECT count(*) FILTER (WHERE type = 'confirmed')::int AS confirmed, count(*) FILTER (WHERE type = 'rejected')::int AS rejected,
              count(*) FILTER (WHERE type = 'expired')::int AS expired, count(*) FILTER (WHERE type = 'cancelled')::int AS cancelled
         FROM qr_session_events WHERE occurred_at >= $1`,
      [day.body.from],
    );
    expect(day.body.totals).toEqual(counted);

    const week = await asAdmin('/api/admin/stats/sign-ins?range=7d');
    expect(week.body.hours).toHaveLength(168);
    expect(week.body.totals.confirmed).toBe(day.body.totals.confirmed + 1);
    const thirtyHoursAgo = week.body.hours.find((hour: { start: string }) => Date.parse(hour.start) === Date.parse(day.body.to) - 31 * 3_600_000);
    expect(thirtyHoursAgo).toMatchObject({ confirmed: 1, rejected: 0, expired: 0, cancelled: 0 });
  });

  it('shows connected desktops, waiting long-polls and the median push delay, as they are', async () => {
    const before = (await asAdmin('/api/admin/stats/live')).body;
    expect(before).toEqual({
      connectedDesktops: expect.any(Number),
      waitingLongPolls: expect.any(Number),
      pushDelay: { count: expect.any(Number), medianSeconds: before.pushDelay.count ? expect.any(Number) : null },
      processes: 1,
      at: expect.any(String),
    });
    const phone = await signUpAndLogin(app);
    const watched = await createQrSession(app);
    const polled = await createQrSession(app);
    const sockets = await Promise.all([1, 2].map(() => DesktopSocket.connect(app.url, { qrId: watched.session.id, secret: watched.session.secret })));
    try {
      const held = app
        .http()
        .get(`/api/qr-sessions/${polled.session.id}?since=pending&wait=20`)
        .set('X-QR-Secret', polled.session.secret)
        .then((r) => r);
      await heldLongPolls(app, before.waitingLongPolls + 1);
      const during = (await asAdmin('/api/admin/stats/live')).body;
      expect(during).toMatchObject({ connectedDesktops: before.connectedDesktops + 2, waitingLongPolls: before.waitingLongPolls + 1 });

      // Two scans: two sockets and one long-poll hear of them, three deliveries timed.
      await scan(app, phone, watched.session.id);
      await Promise.all(sockets.map((socket) => socket.next('scanned')));
      await scan(app, phone, polled.session.id);
      expect((await held).body.status).toBe('scanned');
      const after = (await asAdmin('/api/admin/stats/live')).body;
      expect(after.waitingLongPolls).toBe(before.waitingLongPolls);
      expect(after.pushDelay.count).toBe(before.pushDelay.count + 3);
      expect(after.pushDelay.medianSeconds).toBeGreaterThanOrEqual(0);
      expect(after.pushDelay.medianSeconds).toBeLessThan(5);
    } finally {
      sockets.forEach((socket) => socket.close());
    }
  });

  it('sums the live figures of every process, e.g. a desktop watching through another one', async () => {
    const other = await startTestApp({}, db);
    const statsWhen = async (done: (stats: { connectedDesktops: number; processes: number }) => boolean) => {
      // Processes report every 2 s once asked: read until the figures say so, or give up after 15 s.
      const deadline = Date.now() + 15_000;
      for (;;) {
        const stats = (await asAdmin('/api/admin/stats/live')).body;
        if (done(stats)) return stats;
        if (Date.now() > deadline) throw new Error(`live stats never matched: ${JSON.stringify(stats)}`);
        await new Promise((resolve) => setTimeout(resolve, 200));
      }
    };
    try {
      const base = await statsWhen((stats) => stats.processes === 2);
      const { session } = await createQrSession(other);
      const socket = await DesktopSocket.connect(other.url, { qrId: session.id, secret: session.secret });
      try {
        await statsWhen((stats) => stats.connectedDesktops === base.connectedDesktops + 1 && stats.processes === 2);
      } finally {
        socket.close();
      }
      await statsWhen((stats) => stats.connectedDesktops === base.connectedDesktops);
    } finally {
      await other.close();
    }
    // A process that stopped reporting drops out.
    await statsWhen((stats) => stats.processes === 1);
  }, 60_000);

  it('never answers a secret, scan ticket, hash or token', async () => {
    const [{ hashes }] = await app.dataSource.query(`SELECT array_agg(password_hash) AS hashes FROM accounts`);
    for (const hash of hashes as string[]) secrets.add(hash);
    expect(adminAnswers.length).toBeGreaterThan(10);
    expect(secrets.size).toBeGreaterThan(20);
    const everything = adminAnswers.join('\n');
    for (const secret of secrets) expect(everything.includes(secret) ? secret : null).toBeNull();
    expect(everything).not.toMatch(/secret|hash|accessToken|scanTicket"/i);
  });
});
