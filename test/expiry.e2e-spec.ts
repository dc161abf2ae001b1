import { DesktopSocket } from './support/desktop-socket';
import { createQrSession, scan, signUpAndLogin } from './support/factories';
import { startTestApp, type TestApp } from './support/test-app';

/** Sessions that run out: `expired` comes by itself, and nothing can change them afterwards (threat 4). */
describe('expiry', () => {
  let app: TestApp;

  beforeAll(async () => {
    app = await startTestApp({ QR_TTL_SECONDS: '1', EXPIRY_SWEEP_SECONDS: '1' });
  });
  afterAll(() => app.close());

  async function expiredEventOf(qrId: string, secret: string): Promise<void> {
    const desktop = await DesktopSocket.connect(app.url, { qrId, secret });
    try {
      const expired = await desktop.next('expired', 5000);
      expect(expired).toMatchObject({ id: qrId, status: 'expired' });
    } finally {
      desktop.close();
    }
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
    const response = await app
      .http()
      .get(`/api/qr-sessions/${session.id}?since=pending&wait=10`)
      .set('X-QR-Secret', session.secret)
      .expect(200);
    expect(response.body.status).toBe('expired');
  });

  it('answers qr_expired to a scan, confirm, reject or cancel after expiry', async () => {
    const phone = await signUpAndLogin(app);
    const scannedThenExpired = await createQrSession(app);
    const { scanTicket } = await scan(app, phone, scannedThenExpired.session.id);
    const neverScanned = await createQrSession(app);
    await expiredEventOf(scannedThenExpired.session.id, scannedThenExpired.session.secret);
    await expiredEventOf(neverScanned.session.id, neverScanned.session.secret);

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
    // A session written while no process was listening: only the sweep can find it.
    await app.dataSource.query(
      `INSERT INTO qr_sessions (id, secret_hash, status, desktop_client_device_id, desktop_device_type, created_at, expires_at)
       VALUES ('sweepSweepSweepSweep00', repeat('0', 64), 'pending', 'desk-sweep-01', 'pc', now() - interval '5 minutes', now() - interval '3 minutes')`,
    );
    const deadline = Date.now() + 5000;
    let status = 'pending';
    while (status !== 'expired' && Date.now() < deadline) {
      // Polling the database here is the test observing the sweep, not the service polling.
      await new Promise((resolve) => setTimeout(resolve, 200));
      [{ status }] = await app.dataSource.query(`SELECT status FROM qr_sessions WHERE id = 'sweepSweepSweepSweep00'`);
    }
    expect(status).toBe('expired');
  });
});
