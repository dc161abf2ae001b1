import { DesktopSocket } from './support/desktop-socket';
import { createQrSession, scan, signUpAndLogin } from './support/factories';
import { EVENT_PATHS, startTestApp, type TestApp } from './support/test-app';

/** Sessions that run out: `expired` comes by itself, and nothing can change them afterwards (threat 4). */
describe.each(EVENT_PATHS)('expiry (%s)', (_, aloneOnDatabase) => {
  let app: TestApp;

  beforeAll(async () => {
    // No sweep in the time of these tests: each session's own timer must expire it.
    app = await startTestApp({ QR_TTL_SECONDS: '2', EXPIRY_SWEEP_SECONDS: '3600' }, undefined, { aloneOnDatabase });
  });
  afterAll(() => app.close());

  /** Waits, by long-poll, until the session has left `status` and checks that it expired. */
  async function waitUntilExpired(qrId: string, secret: string, status: 'pending' | 'scanned'): Promise<void> {
    const response = await app.http().get(`/api/qr-sessions/${qrId}?since=${status}&wait=10`).set('X-QR-Secret', secret).expect(200);
    expect(response.body).toMatchObject({ id: qrId, status: 'expired' });
  }

  it('pushes expired by itself when the session runs out, without any request', async () => {
    const { session } = await createQrSession(app);
    const desktop = await DesktopSocket.connect(app.url, { qrId: session.id, secret: session.secret });
    try {
      expect(await desktop.next('status')).toMatchObject({ status: 'pending' });
      expect(await desktop.next('expired', 5000)).toMatchObject({ id: session.id, status: 'expired' });
      expect(desktop.events()).toEqual(['status', 'expired']);
    } finally {
      desktop.close();
    }
    const [row] = await app.dataSource.query(
      `SELECT s.status, s.expired_at IS NOT NULL AS stamped, count(e.*)::int AS events
         FROM qr_sessions s JOIN qr_session_events e ON e.qr_session_id = s.id AND e.type = 'expired'
        WHERE s.id = $1 GROUP BY s.status, s.expired_at`,
      [session.id],
    );
    expect(row).toEqual({ status: 'expired', stamped: true, events: 1 });
  });

  it('wakes a long-poll waiter when the session expires', async () => {
    const { session } = await createQrSession(app);
    const response = await app.http().get(`/api/qr-sessions/${session.id}?since=pending&wait=10`).set('X-QR-Secret', session.secret).expect(200);
    expect(response.body.status).toBe('expired');
  });

  it('answers qr_expired to a scan, confirm, reject or cancel after expiry', async () => {
    const phone = await signUpAndLogin(app);
    const scannedThenExpired = await createQrSession(app);
    const { scanTicket } = await scan(app, phone, scannedThenExpired.session.id);
    const neverScanned = await createQrSession(app);
    await waitUntilExpired(scannedThenExpired.session.id, scannedThenExpired.session.secret, 'scanned');
    await waitUntilExpired(neverScanned.session.id, neverScanned.session.secret, 'pending');

    const attempts = [
      app.http().post(`/api/qr-sessions/${neverScanned.session.id}/scan`).set(phone.headers),
      app.http().post(`/api/qr-sessions/${scannedThenExpired.session.id}/confirm`).set(phone.headers).send({ scanTicket }),
      app.http().post(`/api/qr-sessions/${scannedThenExpired.session.id}/reject`).set(phone.headers).send({ scanTicket }),
      app.http().delete(`/api/qr-sessions/${neverScanned.session.id}`).set('X-QR-Secret', neverScanned.session.secret),
    ];
    for (const response of await Promise.all(attempts)) {
      expect({ status: response.status, code: response.body.code }).toEqual({ status: 410, code: 'qr_expired' });
    }
    const [row] = await app.dataSource.query('SELECT status, login_token_id FROM qr_sessions WHERE id = $1', [scannedThenExpired.session.id]);
    expect(row).toEqual({ status: 'expired', login_token_id: null });
  });

  it('expires, by the periodic sweep, a session whose timer no process held', async () => {
    const sweeping = await startTestApp({ EXPIRY_SWEEP_SECONDS: '1' }, undefined, { aloneOnDatabase });
    try {
      // A session written while no process was listening: only the sweep can find it.
      await sweeping.dataSource.query(
        `INSERT INTO qr_sessions (id, secret_hash, status, desktop_client_device_id, desktop_device_type, created_at, expires_at)
         VALUES ('sweepSweepSweepSweep00', repeat('0', 64), 'pending', 'desk-sweep-01', 'pc', now() - interval '5 minutes', now() - interval '3 minutes')`,
      );
      const deadline = Date.now() + 5000;
      let status = 'pending';
      while (status !== 'expired' && Date.now() < deadline) {
        // Polling the database here is the test observing the sweep, not the service polling.
        await new Promise((resolve) => setTimeout(resolve, 200));
        [{ status }] = await sweeping.dataSource.query(`SELECT status FROM qr_sessions WHERE id = 'sweepSweepSweepSweep00'`);
      }
      expect(status).toBe('expired');
    } finally {
      await sweeping.close();
    }
  });
});

/**
 * Expiry checked in the same statement as each transition (threat 4): here no timer or sweep gets there first, so
 * only the conditional UPDATE stands between a late request and an expired session.
 */
describe('expiry inside the transition', () => {
  let app: TestApp;

  beforeAll(async () => {
    app = await startTestApp({ EXPIRY_SWEEP_SECONDS: '3600' });
  });
  afterAll(() => app.close());

  const expireNow = (id: string) => app.dataSource.query(`UPDATE qr_sessions SET expires_at = now() - interval '1 second' WHERE id = $1`, [id]);

  it('refuses a scan of a session whose time ran out but that nobody marked expired yet', async () => {
    const phone = await signUpAndLogin(app);
    const { session } = await createQrSession(app);
    await expireNow(session.id);
    const response = await app.http().post(`/api/qr-sessions/${session.id}/scan`).set(phone.headers).expect(410);
    expect(response.body.code).toBe('qr_expired');
    const [row] = await app.dataSource.query('SELECT status, scanned_by_account_id FROM qr_sessions WHERE id = $1', [session.id]);
    expect(row).toEqual({ status: 'expired', scanned_by_account_id: null });
  });

  it('refuses a confirm with a valid ticket once the session ran out, and issues no token', async () => {
    const phone = await signUpAndLogin(app);
    const { session } = await createQrSession(app);
    const { scanTicket } = await scan(app, phone, session.id);
    await expireNow(session.id);
    const response = await app.http().post(`/api/qr-sessions/${session.id}/confirm`).set(phone.headers).send({ scanTicket }).expect(410);
    expect(response.body.code).toBe('qr_expired');
    const [row] = await app.dataSource.query('SELECT status, login_token_id FROM qr_sessions WHERE id = $1', [session.id]);
    expect(row).toEqual({ status: 'expired', login_token_id: null });
  });

  it('refuses a reject, and a cancel by the desktop, once the session ran out', async () => {
    const phone = await signUpAndLogin(app);
    const scanned = await createQrSession(app);
    const { scanTicket } = await scan(app, phone, scanned.session.id);
    const pending = await createQrSession(app);
    await expireNow(scanned.session.id);
    await expireNow(pending.session.id);
    const rejected = await app.http().post(`/api/qr-sessions/${scanned.session.id}/reject`).set(phone.headers).send({ scanTicket }).expect(410);
    expect(rejected.body.code).toBe('qr_expired');
    const cancelled = await app.http().delete(`/api/qr-sessions/${pending.session.id}`).set('X-QR-Secret', pending.session.secret).expect(410);
    expect(cancelled.body.code).toBe('qr_expired');
    const rows = await app.dataSource.query('SELECT status FROM qr_sessions WHERE id = ANY($1) ORDER BY id', [
      [scanned.session.id, pending.session.id],
    ]);
    expect(rows).toEqual([{ status: 'expired' }, { status: 'expired' }]);
  });

  it('stops showing the desktop token after the pickup window (the later of expiresAt and confirmation + 60 s)', async () => {
    const phone = await signUpAndLogin(app);
    const { session } = await createQrSession(app);
    const { scanTicket } = await scan(app, phone, session.id);
    await app.http().post(`/api/qr-sessions/${session.id}/confirm`).set(phone.headers).send({ scanTicket }).expect(200);
    const read = () => app.http().get(`/api/qr-sessions/${session.id}`).set('X-QR-Secret', session.secret).expect(200);
    expect((await read()).body.login).toBeDefined();
    await app.dataSource.query(
      `UPDATE qr_sessions SET expires_at = now() - interval '1 second', confirmed_at = now() - interval '59 seconds' WHERE id = $1`,
      [session.id],
    );
    expect((await read()).body.login).toBeDefined();
    await app.dataSource.query(`UPDATE qr_sessions SET confirmed_at = now() - interval '61 seconds' WHERE id = $1`, [session.id]);
    const after = (await read()).body;
    expect(after.status).toBe('confirmed');
    expect(after.login).toBeUndefined();
  });
});
