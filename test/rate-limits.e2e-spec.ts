import { request as httpRequest } from 'node:http';
import { RATE_LIMIT_POLICIES } from '@app/rate-limits';
import { DesktopSocket } from './support/desktop-socket';
import { createQrSession, scan, signUpAndLogin } from './support/factories';
import { requestFrom } from './support/from-address';
import { startTestApp, type TestApp } from './support/test-app';

/** Brute force and flooding answer 429 rate_limited with Retry-After (threat 8). Each test uses its own policy. */
describe('rate limits', () => {
  let app: TestApp;

  beforeAll(async () => {
    app = await startTestApp({ RATE_LIMITS: 'on' });
  });
  afterAll(() => app.close());

  it('limits sign-in attempts from one address, with Retry-After', async () => {
    const statuses: number[] = [];
    for (let i = 0; i < RATE_LIMIT_POLICIES.login.limit + 1; i++) {
      // Each to another account, so that only the per-address flood limit can answer 429 (the lockout counts per account).
      const response = await app
        .http()
        .post('/api/auth/login')
        .send({ username: `nobody-${i}`, password: 'guess-xxx', device: { id: 'guessing-device', type: 'ios' } });
      statuses.push(response.status);
      if (response.status === 429) {
        expect(response.body).toEqual({ statusCode: 429, code: 'rate_limited', message: expect.any(String) });
        const retryAfter = Number(response.headers['retry-after']);
        expect(retryAfter).toBeGreaterThanOrEqual(1);
        expect(retryAfter).toBeLessThanOrEqual(RATE_LIMIT_POLICIES.login.windowSeconds);
      }
    }
    expect(statuses.filter((status) => status === 401)).toHaveLength(RATE_LIMIT_POLICIES.login.limit);
    expect(statuses.at(-1)).toBe(429);
  });

  it('limits mass QR creation from one address, and inserts nothing past the limit', async () => {
    const statuses: number[] = [];
    const created = () => app.dataSource.query(`SELECT count(*)::int AS n FROM qr_sessions WHERE desktop_client_device_id LIKE 'flood-desk-%'`);
    for (let i = 0; i < RATE_LIMIT_POLICIES.createQr.limit + 3; i++) {
      const response = await app
        .http()
        .post('/api/qr-sessions?image=none')
        .send({ device: { id: `flood-desk-${i}`, type: 'pc' } });
      statuses.push(response.status);
    }
    expect(statuses.filter((status) => status === 201)).toHaveLength(RATE_LIMIT_POLICIES.createQr.limit);
    expect(statuses.slice(-3)).toEqual([429, 429, 429]);
    // The statement that counts is the one that inserts: past the limit, it inserted no session and no audit row.
    expect(await created()).toEqual([{ n: RATE_LIMIT_POLICIES.createQr.limit }]);
  });

  it('counts requests that arrive together exactly: no more than the limit pass', async () => {
    const { limit } = RATE_LIMIT_POLICIES.watchQr;
    // Reads of a session that does not exist: each is counted, then answers 404 unless it was over the limit.
    const missing = 'AAAAAAAAAAAAAAAAAAAAAA';
    const responses = await Promise.all(
      Array.from({ length: limit + 10 }, () => app.http().get(`/api/qr-sessions/${missing}`).set('X-QR-Secret', 'x'.repeat(43))),
    );
    const statuses = responses.map((response) => response.status);
    expect(statuses.filter((status) => status === 404)).toHaveLength(limit);
    expect(statuses.filter((status) => status === 429)).toHaveLength(10);
  });

  it("counts the desktop's read once, whether it reads at once or is held as a long-poll", async () => {
    const { session } = await createQrSessionBypassingLimit();
    const hits = async () =>
      ((await app.dataSource.query(`SELECT hits FROM rate_limit_counters WHERE key LIKE 'watchQr:%'`)) as Array<{ hits: number }>)[0]?.hits ?? 0;
    await app.dataSource.query(`DELETE FROM rate_limit_counters WHERE key LIKE 'watchQr:%'`);
    await app.http().get(`/api/qr-sessions/${session.id}`).set('X-QR-Secret', session.secret).expect(200);
    expect(await hits()).toBe(1);
    // Held until wait runs out, then answered by a read of its own.
    await app.http().get(`/api/qr-sessions/${session.id}?since=pending&wait=1`).set('X-QR-Secret', session.secret).expect(200);
    expect(await hits()).toBe(2);
  });

  it("counts the desktop's cancel in the statement that cancels, which cancels nothing past the limit", async () => {
    const { session } = await createQrSessionBypassingLimit();
    const watchHits = async () =>
      ((await app.dataSource.query(`SELECT hits FROM rate_limit_counters WHERE key LIKE 'watchQr:%'`)) as Array<{ hits: number }>)[0]?.hits ?? 0;
    const status = async () =>
      ((await app.dataSource.query('SELECT status FROM qr_sessions WHERE id = $1', [session.id])) as Array<{ status: string }>)[0].status;
    await app.dataSource.query(`DELETE FROM rate_limit_counters WHERE key LIKE 'watchQr:%'`);
    // Without a secret there is no statement to count in: counted on its own.
    expect((await app.http().delete(`/api/qr-sessions/${session.id}`).expect(403)).body.code).toBe('qr_secret_invalid');
    expect(await watchHits()).toBe(1);
    // The rest of the budget spent: the cancel is refused and the session stays as it was, with no audit row.
    await app.dataSource.query(`UPDATE rate_limit_counters SET hits = $1 WHERE key LIKE 'watchQr:%'`, [RATE_LIMIT_POLICIES.watchQr.limit]);
    const refused = await app.http().delete(`/api/qr-sessions/${session.id}`).set('X-QR-Secret', session.secret).expect(429);
    expect(refused.body.code).toBe('rate_limited');
    // A wrong secret past the limit learns nothing about the session either.
    const guessed = await app.http().delete(`/api/qr-sessions/${session.id}`).set('X-QR-Secret', 'x'.repeat(43)).expect(429);
    expect(guessed.body.code).toBe('rate_limited');
    expect(await status()).toBe('pending');
    const events = await app.dataSource.query(`SELECT type FROM qr_session_events WHERE qr_session_id = $1 AND type = 'cancelled'`, [session.id]);
    expect(events).toEqual([]);
    await app.dataSource.query(`DELETE FROM rate_limit_counters WHERE key LIKE 'watchQr:%'`);
    await app.http().delete(`/api/qr-sessions/${session.id}`).set('X-QR-Secret', session.secret).expect(200);
    expect(await status()).toBe('cancelled');
    expect(await watchHits()).toBe(1);
  });

  describe("a phone's actions, counted by the statement that checks the token and acts", () => {
    const { limit } = RATE_LIMIT_POLICIES.phoneAction;
    const scanMissing = (headers: Record<string, string>) => app.http().post('/api/qr-sessions/AAAAAAAAAAAAAAAAAAAAAA/scan').set(headers);
    const forged = { Authorization: 'Bearer aaaa.bbbb.cccc', 'X-Device-Id': 'guessing-device' };

    // Signing phones up and in has budgets of its own, which the tests above spent.
    beforeEach(() => app.dataSource.query(`DELETE FROM rate_limit_counters WHERE key ~ '^(phoneAction|register|login):'`));

    it('counts a signed-in phone and refuses past the limit, before anything about its token', async () => {
      const phone = await signUpAndLogin(app);
      for (let i = 0; i < limit; i++) await scanMissing(phone.headers).expect(404);
      const refused = await scanMissing(phone.headers).expect(429);
      expect(refused.body).toMatchObject({ code: 'rate_limited' });
      expect(Number(refused.headers['retry-after'])).toBeGreaterThanOrEqual(1);
      // The budget is the address's: a forged token from it is refused for the limit, not for the token.
      await scanMissing(forged).expect(429);
    });

    it('counts a revoked or unknown token in the same statement, and answers for the token under the limit', async () => {
      const revoked = await signUpAndLogin(app);
      await app.http().post('/api/auth/logout').set(revoked.headers).expect(204);
      expect((await scanMissing(revoked.headers).expect(401)).body.code).toBe('token_revoked');
      const deleted = await signUpAndLogin(app);
      await app.dataSource.query('DELETE FROM access_tokens WHERE account_id = (SELECT id FROM accounts WHERE username = $1)', [deleted.username]);
      expect((await scanMissing(deleted.headers).expect(401)).body.code).toBe('unauthorized');
      const [{ hits }] = await app.dataSource.query(`SELECT hits FROM rate_limit_counters WHERE key LIKE 'phoneAction:%'`);
      expect(hits).toBe(2);
    });

    it('past the limit, the statement that would scan, confirm or reject does nothing', async () => {
      const phone = await signUpAndLogin(app);
      const scanned = await createQrSessionBypassingLimit();
      const pending = await createQrSessionBypassingLimit();
      const { scanTicket } = await scan(app, phone, scanned.session.id);
      const stateOf = async (id: string) =>
        (await app.dataSource.query('SELECT status, scan_ticket_used_at FROM qr_sessions WHERE id = $1', [id]))[0];
      for (let i = 1; i < limit; i++) await scanMissing(phone.headers).expect(404);

      for (const action of ['confirm', 'reject']) {
        const refused = await app.http().post(`/api/qr-sessions/${scanned.session.id}/${action}`).set(phone.headers).send({ scanTicket });
        expect({ action, status: refused.status, code: refused.body.code }).toEqual({ action, status: 429, code: 'rate_limited' });
      }
      expect((await app.http().post(`/api/qr-sessions/${pending.session.id}/scan`).set(phone.headers).expect(429)).body.code).toBe('rate_limited');
      expect(await stateOf(scanned.session.id)).toEqual({ status: 'scanned', scan_ticket_used_at: null });
      expect(await stateOf(pending.session.id)).toEqual({ status: 'pending', scan_ticket_used_at: null });

      // Nothing was spent: in a new window, the same ticket confirms.
      await app.dataSource.query(`DELETE FROM rate_limit_counters WHERE key LIKE 'phoneAction:%'`);
      await app.http().post(`/api/qr-sessions/${scanned.session.id}/confirm`).set(phone.headers).send({ scanTicket }).expect(200);
    });

    it('counts a confirmation that the database refused as a whole', async () => {
      const phone = await signUpAndLogin(app);
      await app.dataSource.query(`DELETE FROM rate_limit_counters WHERE key LIKE 'createQr:%'`);
      // A desktop that claims the phone's device id: the confirmation fails at its foreign key, and is answered forbidden.
      const created = await app
        .http()
        .post('/api/qr-sessions?image=none')
        .send({ device: { id: phone.deviceId, type: 'pc' } })
        .expect(201);
      const { scanTicket } = await scan(app, phone, created.body.id);
      await app.http().post(`/api/qr-sessions/${created.body.id}/confirm`).set(phone.headers).send({ scanTicket }).expect(403);
      const [{ hits }] = await app.dataSource.query(`SELECT hits FROM rate_limit_counters WHERE key LIKE 'phoneAction:%'`);
      expect(hits).toBe(2);
    });

    it('counts requests refused before the token is read (guessing tokens), on the same budget', async () => {
      for (let i = 0; i < limit; i++) await scanMissing(forged).expect(401);
      const phone = await signUpAndLogin(app);
      await scanMissing(phone.headers).expect(429);
    });
  });

  it('limits socket handshakes from one address, refusing with rate_limited', async () => {
    const { session } = await createQrSessionBypassingLimit();
    let refused: Error | undefined;
    for (let i = 0; i < RATE_LIMIT_POLICIES.socketHandshake.limit + 1 && !refused; i++) {
      try {
        (await DesktopSocket.connect(app.url, { qrId: session.id, secret: 'wrong-secret-guess' })).close();
      } catch (error) {
        if ((error as Error).message === 'rate_limited') refused = error as Error;
        else expect((error as Error).message).toBe('qr_secret_invalid');
      }
    }
    expect(refused?.message).toBe('rate_limited');
  });

  it('counts a socket handshake refused before its read (malformed auth) on the same budget', async () => {
    await app.dataSource.query(`DELETE FROM rate_limit_counters WHERE key LIKE 'socketHandshake:%'`);
    const { session } = await createQrSessionBypassingLimit();
    for (let i = 0; i < RATE_LIMIT_POLICIES.socketHandshake.limit; i++) {
      await expect(DesktopSocket.connect(app.url, { qrId: 'not a session id', secret: session.secret })).rejects.toThrow('validation_failed');
    }
    await expect(DesktopSocket.connect(app.url, { qrId: session.id, secret: session.secret })).rejects.toThrow('rate_limited');
  });

  it("does not let a page of another origin spend its visitor's budgets: what it sends counts on a budget of its own", async () => {
    const visitor = '127.0.7.1';
    /** What a page's form or `<img>` makes the visitor's browser send: no CORS preflight is needed for either. */
    const sendFrom = (method: string, path: string, headers: Record<string, string>, body = '') =>
      new Promise<number>((resolve, reject) => {
        const url = new URL(path, app.url);
        const outgoing = httpRequest(url, { method, localAddress: visitor, headers }, (response) => {
          response.resume();
          response.on('end', () => resolve(response.statusCode ?? 0));
        });
        outgoing.once('error', reject);
        outgoing.end(body);
      });
    const form = { Origin: 'https://evil.example', 'Content-Type': 'application/x-www-form-urlencoded', 'Sec-Fetch-Site': 'cross-site' };
    const image = { 'Sec-Fetch-Site': 'cross-site', 'Sec-Fetch-Dest': 'image' };
    const creates = [];
    for (let i = 0; i <= RATE_LIMIT_POLICIES.createQr.limit; i++)
      creates.push(await sendFrom('POST', '/oauth/device_authorization', form, 'client_id=evil'));
    expect(creates.slice(-2)).toEqual([200, 429]);
    const reads = [];
    for (let i = 0; i <= RATE_LIMIT_POLICIES.watchQr.limit; i++)
      reads.push(await sendFrom('GET', '/api/qr-sessions/AAAAAAAAAAAAAAAAAAAAAA/qr.svg', image));
    expect(reads.slice(-2)).toEqual([404, 429]);
    // A POST without a body needs no preflight either: the JSON routes refuse it, but only after counting it.
    const logins = [];
    for (let i = 0; i <= RATE_LIMIT_POLICIES.login.limit; i++)
      logins.push(await sendFrom('POST', '/api/auth/login', { Origin: 'https://evil.example' }));
    expect(logins.slice(-2)).toEqual([400, 429]);
    // The visitor's own desktop, at the same address, creates and reads as if nothing had happened, and signs in.
    const created = await requestFrom(visitor, app.url, 'POST', '/api/qr-sessions?image=none', { device: { id: 'visitor-desk-1', type: 'web' } });
    expect(created.status).toBe(201);
    const read = await requestFrom(visitor, app.url, 'GET', `/api/qr-sessions/${created.body.id}`, undefined, { 'X-QR-Secret': created.body.secret });
    expect(read.status).toBe(200);
    const login = await requestFrom(visitor, app.url, 'POST', '/api/auth/login', {
      username: 'nobody-here',
      password: 'not-a-password',
      device: { id: 'visitor-phone-1', type: 'ios' },
    });
    expect(login.status).toBe(401);
  });

  it('gives no second budget to a request no page could send without a preflight, whatever its headers claim', async () => {
    const script = '127.0.7.2';
    const claims = { Origin: 'https://evil.example', 'Sec-Fetch-Site': 'cross-site' };
    const statuses = [];
    for (let i = 0; i <= RATE_LIMIT_POLICIES.createQr.limit; i++) {
      // A JSON body: a browser would have asked first, and been refused. Half of them claim to be a foreign page.
      const response = await requestFrom(
        script,
        app.url,
        'POST',
        '/api/qr-sessions?image=none',
        { device: { id: `script-desk-${i}`, type: 'pc' } },
        i % 2 ? claims : {},
      );
      statuses.push(response.status);
    }
    expect(statuses.slice(-2)).toEqual([201, 429]);
  });

  /** The QR-creation budget of 127.0.0.1 was spent above: reset that counter to get one more session. */
  async function createQrSessionBypassingLimit() {
    await app.dataSource.query(`DELETE FROM rate_limit_counters WHERE key LIKE 'createQr:%'`);
    return createQrSession(app);
  }
});
