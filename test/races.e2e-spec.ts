import { createQrSession, scan, signUpAndLogin, type SignedInDevice } from './support/factories';
import { startTestApp, type TestApp } from './support/test-app';

/** Concurrent requests on one session: exactly one transition wins (threat 2). */
describe('races', () => {
  let app: TestApp;

  beforeAll(async () => {
    app = await startTestApp();
  });
  afterAll(() => app.close());

  function countBy<T>(items: T[], key: (item: T) => string): Record<string, number> {
    return items.reduce<Record<string, number>>((counts, item) => ({ ...counts, [key(item)]: (counts[key(item)] ?? 0) + 1 }), {});
  }

  it('of 20 concurrent scans by different phones, exactly one wins', async () => {
    const phones: SignedInDevice[] = [];
    for (let i = 0; i < 20; i++) phones.push(await signUpAndLogin(app));
    const { session } = await createQrSession(app);
    const responses = await Promise.all(phones.map((phone) => app.http().post(`/api/qr-sessions/${session.id}/scan`).set(phone.headers)));
    expect(countBy(responses, (r) => `${r.status} ${r.body.code ?? r.body.status}`)).toEqual({
      '200 scanned': 1,
      '409 qr_already_scanned': 19,
    });
    const [events] = await app.dataSource.query(
      `SELECT count(*)::int AS scanned FROM qr_session_events WHERE qr_session_id = $1 AND type = 'scanned'`,
      [session.id],
    );
    expect(events.scanned).toBe(1);
  });

  it('of 20 concurrent confirms, exactly one mints a token', async () => {
    const phone = await signUpAndLogin(app);
    const { session } = await createQrSession(app);
    const { scanTicket } = await scan(app, phone, session.id);
    const responses = await Promise.all(
      Array.from({ length: 20 }, () => app.http().post(`/api/qr-sessions/${session.id}/confirm`).set(phone.headers).send({ scanTicket })),
    );
    expect(countBy(responses, (r) => `${r.status} ${r.body.code ?? r.body.status}`)).toEqual({
      '200 confirmed': 1,
      '409 qr_already_completed': 19,
    });
    const [tokens] = await app.dataSource.query(`SELECT count(*)::int AS n FROM access_tokens WHERE grant_type = 'qr' AND account_id = $1`, [
      phone.login.account.id,
    ]);
    expect(tokens.n).toBe(1);
  });

  it('of a confirm racing a reject, exactly one wins', async () => {
    for (let round = 0; round < 5; round++) {
      const phone = await signUpAndLogin(app);
      const { session } = await createQrSession(app);
      const { scanTicket } = await scan(app, phone, session.id);
      const [confirm, reject] = await Promise.all([
        app.http().post(`/api/qr-sessions/${session.id}/confirm`).set(phone.headers).send({ scanTicket }),
        app.http().post(`/api/qr-sessions/${session.id}/reject`).set(phone.headers).send({ scanTicket }),
      ]);
      expect([confirm.status, reject.status].sort()).toEqual([200, 409]);
      const loser = confirm.status === 200 ? reject : confirm;
      expect(loser.body.code).toBe('qr_already_completed');
      const [row] = await app.dataSource.query('SELECT status, login_token_id FROM qr_sessions WHERE id = $1', [session.id]);
      expect(row.status).toBe(confirm.status === 200 ? 'confirmed' : 'rejected');
      expect(row.login_token_id === null).toBe(confirm.status !== 200);
    }
  });

  it('of a cancel racing a confirm, exactly one wins', async () => {
    const phone = await signUpAndLogin(app);
    const { session } = await createQrSession(app);
    const { scanTicket } = await scan(app, phone, session.id);
    const [confirm, cancel] = await Promise.all([
      app.http().post(`/api/qr-sessions/${session.id}/confirm`).set(phone.headers).send({ scanTicket }),
      app.http().delete(`/api/qr-sessions/${session.id}`).set('X-QR-Secret', session.secret),
    ]);
    expect([confirm.status, cancel.status].sort()).toEqual([200, 409]);
    const [row] = await app.dataSource.query('SELECT status, login_token_id FROM qr_sessions WHERE id = $1', [session.id]);
    if (confirm.status === 200) {
      expect(cancel.body.code).toBe('qr_already_completed');
      expect(row.status).toBe('confirmed');
      expect(row.login_token_id).not.toBeNull();
    } else {
      expect(confirm.body.code).toBe('qr_already_completed');
      expect(row).toEqual({ status: 'cancelled', login_token_id: null });
    }
  });

  it('of a scan racing a cancel, exactly one wins', async () => {
    for (let round = 0; round < 5; round++) {
      const phone = await signUpAndLogin(app);
      const { session } = await createQrSession(app);
      const [scanned, cancel] = await Promise.all([
        app.http().post(`/api/qr-sessions/${session.id}/scan`).set(phone.headers),
        app.http().delete(`/api/qr-sessions/${session.id}`).set('X-QR-Secret', session.secret),
      ]);
      expect(cancel.status).toBe(200);
      const [row] = await app.dataSource.query('SELECT status FROM qr_sessions WHERE id = $1', [session.id]);
      expect(row.status).toBe('cancelled');
      // The scan either came first (and was then cancelled) or found the session cancelled.
      expect(scanned.status === 200 || scanned.body.code === 'qr_already_completed').toBe(true);
    }
  });
});
