import pg from 'pg';
import { io, type Socket } from 'socket.io-client';
import { ACCOUNT_NAMESPACE, type AccountServerToClientEvents, type ScanCodeResult, type SignInAlert } from '@app/contract';
import { authorizeDevice, DEVICE_CODE_GRANT, pollToken, waitOutInterval, type DeviceAuthorization } from './support/device-grant';
import { DesktopSocket } from './support/desktop-socket';
import { createQrSession, loginAs, signUpAndLogin, type SignedInDevice } from './support/factories';
import { heldLongPolls, startTestApp, TEST_PUBLIC_URL, type TestApp } from './support/test-app';

/** Contract §8: the OAuth 2.0 Device Authorization Grant (RFC 8628) on QR sessions, over HTTP and Socket.IO. */
describe('device authorization grant', () => {
  let app: TestApp;
  let phone: SignedInDevice;

  beforeAll(async () => {
    app = await startTestApp({ QR_TTL_SECONDS: '120', ADMIN_USERNAME: 'grant-admin', ADMIN_PASSWORD: 'admin password 123' });
    phone = await signUpAndLogin(app, { displayName: 'Alice' });
  });
  afterAll(() => app.close());

  function scanCode(device: SignedInDevice, userCode: string) {
    return app.http().post('/api/qr-sessions/scan-code').set(device.headers).send({ userCode });
  }

  async function approve(grant: DeviceAuthorization, device = phone): Promise<void> {
    const scanned = (await scanCode(device, grant.user_code).expect(200)).body as ScanCodeResult;
    await app.http().post(`/api/qr-sessions/${scanned.id}/confirm`).set(device.headers).send({ scanTicket: scanned.scanTicket }).expect(200);
  }

  function expectOAuthError(response: { status: number; body: unknown; headers: Record<string, string> }, error: string, status = 400): void {
    expect({ status: response.status, body: response.body }).toEqual({
      status,
      body: { error, error_description: expect.any(String) },
    });
    expect(response.headers['cache-control']).toBe('no-store');
    // Also the refusals the form parser answers before routing carry the request's id.
    expect(response.headers['x-request-id']).toEqual(expect.any(String));
  }

  describe('discovery', () => {
    it('serves RFC 8414 metadata with PUBLIC_URL as the issuer', async () => {
      const response = await app.http().get('/.well-known/oauth-authorization-server').expect(200);
      expect(response.headers['content-type']).toMatch(/^application\/json/);
      expect(response.headers['cache-control']).toBe('no-store');
      expect(response.body).toEqual({
        issuer: TEST_PUBLIC_URL,
        device_authorization_endpoint: `${TEST_PUBLIC_URL}/oauth/device_authorization`,
        token_endpoint: `${TEST_PUBLIC_URL}/oauth/token`,
        grant_types_supported: [DEVICE_CODE_GRANT],
        token_endpoint_auth_methods_supported: ['none'],
        response_types_supported: [],
        service_documentation: `${TEST_PUBLIC_URL}/api/docs`,
      });
    });
  });

  describe('device authorization endpoint', () => {
    it('answers the codes, the verification URIs, the lifetime and the interval, never cached', async () => {
      const response = await app.http().post('/oauth/device_authorization').type('form').send({ client_id: 'my-cli', scope: 'ignored' }).expect(200);
      expect(response.headers['cache-control']).toBe('no-store');
      const grant = response.body as DeviceAuthorization;
      expect(grant).toEqual({
        device_code: expect.stringMatching(/^[A-Za-z0-9_-]{43}$/),
        user_code: expect.stringMatching(/^[BCDFGHJKLMNPQRSTVWXZ]{4}-[BCDFGHJKLMNPQRSTVWXZ]{4}$/),
        verification_uri: `${TEST_PUBLIC_URL}/device`,
        verification_uri_complete: `${TEST_PUBLIC_URL}/device?user_code=${grant.user_code}`,
        expires_in: 120,
        interval: 5,
        qr_session_id: expect.stringMatching(/^[A-Za-z0-9_-]{22}$/),
      });
    });

    it('makes a QR session for a pc device, with its audit row, and stores the codes only as hashes', async () => {
      const grant = await authorizeDevice(app, { client_id: 'tv-app', device_name: 'Living room TV' }, 'TvOs/2.0');
      const [session] = await app.dataSource.query(
        `SELECT status, desktop_device_type, desktop_device_name, desktop_user_agent, host(desktop_ip) AS ip, secret_hash FROM qr_sessions WHERE id = $1`,
        [grant.qr_session_id],
      );
      expect(session).toMatchObject({
        status: 'pending',
        desktop_device_type: 'pc',
        desktop_device_name: 'Living room TV',
        desktop_user_agent: 'TvOs/2.0',
        ip: '127.0.0.1',
      });
      const events = await app.dataSource.query('SELECT type FROM qr_session_events WHERE qr_session_id = $1', [grant.qr_session_id]);
      expect(events).toEqual([{ type: 'created' }]);
      const [stored] = await app.dataSource.query('SELECT * FROM device_authorizations WHERE qr_session_id = $1', [grant.qr_session_id]);
      expect(stored.client_id).toBe('tv-app');
      expect(stored.device_code_hash).toBe(session.secret_hash);
      const dump = JSON.stringify(stored) + JSON.stringify(session);
      expect(dump).not.toContain(grant.device_code);
      expect(dump).not.toContain(grant.user_code);
      expect(dump).not.toContain(grant.user_code.replace('-', ''));
    });

    it('draws a different user code for every request', async () => {
      const codes = await Promise.all(Array.from({ length: 10 }, () => authorizeDevice(app).then((grant) => grant.user_code)));
      expect(new Set(codes).size).toBe(10);
    });

    it.each([
      ['no client_id', {}],
      ['an empty client_id', { client_id: '' }],
      ['a client_id with spaces', { client_id: 'my cli' }],
      ['a client_id of 65 characters', { client_id: 'c'.repeat(65) }],
      ['a device_name of 101 characters', { client_id: 'my-cli', device_name: 'd'.repeat(101) }],
      ['a device_name with a control character', { client_id: 'my-cli', device_name: 'TV\u001b[2J' }],
    ])('refuses %s with invalid_request', async (_label, form) => {
      expectOAuthError(await app.http().post('/oauth/device_authorization').type('form').send(form), 'invalid_request');
    });

    it('refuses a repeated parameter, a JSON body and malformed JSON with invalid_request, not the contract body', async () => {
      expectOAuthError(await app.http().post('/oauth/device_authorization').type('form').send('client_id=a&client_id=b'), 'invalid_request');
      expectOAuthError(await app.http().post('/oauth/device_authorization').send({ client_id: 'my-cli' }), 'invalid_request');
      expectOAuthError(
        await app.http().post('/oauth/device_authorization').set('Content-Type', 'application/json').send('{"client_id":'),
        'invalid_request',
      );
      expectOAuthError(await app.http().post('/oauth/device_authorization'), 'invalid_request');
    });

    it('refuses a body over the size limit with 413, in the OAuth format', async () => {
      const response = await app
        .http()
        .post('/oauth/device_authorization')
        .type('form')
        .send(`client_id=x&pad=${'a'.repeat(20_000)}`);
      expectOAuthError(response, 'invalid_request', 413);
    });

    it('refuses more than 32 parameters and a charset other than UTF-8, in the OAuth format', async () => {
      const many = ['client_id=my-cli', ...Array.from({ length: 32 }, (_, i) => `p${i}=x`)].join('&');
      expectOAuthError(await app.http().post('/oauth/device_authorization').type('form').send(many), 'invalid_request');
      const form = (charset: string, body: string) =>
        app.http().post('/oauth/device_authorization').set('Content-Type', `application/x-www-form-urlencoded; charset=${charset}`).send(body);
      expectOAuthError(await form('utf-16', 'client_id=my-cli'), 'invalid_request');
      // ISO-8859-1 and US-ASCII, which some libraries name by default (Apache HttpClient), read as UTF-8 while the
      // bytes are ASCII; a byte above that would mean another letter in each.
      expect((await form('ISO-8859-1', 'client_id=my-cli')).status).toBe(200);
      expect((await form('us-ascii', 'client_id=my-cli&device_name=TV%20room')).status).toBe(200);
      expectOAuthError(await form('iso-8859-1', 'client_id=my-cli&device_name=Caf%E9'), 'invalid_request');
      expectOAuthError(await form('iso-8859-1', 'client_id=my-cli&device_name=Caf\u00e9'), 'invalid_request');
      // UTF-8 named explicitly is what the form is anyway.
      const utf8 = await app
        .http()
        .post('/oauth/device_authorization')
        .set('Content-Type', 'application/x-www-form-urlencoded; charset=UTF-8')
        .send('client_id=my-cli');
      expect(utf8.status).toBe(200);
    });

    it('is not under /api, and the JSON API does not take form bodies', async () => {
      await app.http().post('/api/oauth/device_authorization').type('form').send({ client_id: 'my-cli' }).expect(404);
      const response = await app.http().post('/api/accounts').type('form').send({ username: 'formuser', password: 'long enough pass' });
      expect(response.status).toBe(400);
      expect(response.body.code).toBe('validation_failed');
    });
  });

  describe('the phone', () => {
    it('finds the request by its code in any case, with or without the dash, and sees who asks', async () => {
      const grant = await authorizeDevice(app, { client_id: 'gh-cli', device_name: 'build server' }, 'curl/8.5');
      const typed = grant.user_code.replace('-', '').toLowerCase();
      const scanned = (await scanCode(phone, typed).expect(200)).body as ScanCodeResult;
      expect(scanned).toEqual({
        id: grant.qr_session_id,
        status: 'scanned',
        scanTicket: expect.any(String),
        ticketExpiresAt: expect.any(String),
        requester: {
          device: { type: 'pc', name: 'build server' },
          ip: '127.0.0.1',
          userAgent: 'curl/8.5',
          createdAt: expect.any(String),
          clientId: 'gh-cli',
          // As the device shows it, however the phone typed it: the user compares the two.
          userCode: grant.user_code,
        },
      });
      // Again from the same phone: a fresh ticket, as for a QR scan.
      const again = (await scanCode(phone, grant.user_code).expect(200)).body as ScanCodeResult;
      expect(again.scanTicket).not.toBe(scanned.scanTicket);
    });

    it('names the client by its client_id when it gave no device_name', async () => {
      const grant = await authorizeDevice(app, { client_id: 'nameless-cli' });
      const scanned = (await scanCode(phone, grant.user_code).expect(200)).body as ScanCodeResult;
      expect(scanned.requester.device).toEqual({ type: 'pc', name: 'nameless-cli' });
    });

    it('answers scan-code like scan: unknown, taken, finished and expired codes', async () => {
      const unknown = await scanCode(phone, 'BBBB-BBBB');
      expect(unknown.status).toBe(404);
      expect(unknown.body).toEqual({ statusCode: 404, code: 'qr_not_found', message: expect.any(String) });

      const grant = await authorizeDevice(app);
      await scanCode(phone, grant.user_code).expect(200);
      const other = await signUpAndLogin(app);
      expect((await scanCode(other, grant.user_code)).body.code).toBe('qr_already_scanned');

      const confirmed = await authorizeDevice(app);
      await approve(confirmed);
      expect((await scanCode(phone, confirmed.user_code)).body.code).toBe('qr_already_completed');

      const late = await authorizeDevice(app);
      await app.dataSource.query(`UPDATE qr_sessions SET expires_at = now() - interval '1 second' WHERE id = $1`, [late.qr_session_id]);
      const expired = await scanCode(phone, late.user_code);
      expect(expired.status).toBe(410);
      expect(expired.body.code).toBe('qr_expired');
    });

    it.each([
      ['no code', {}],
      ['a number', { userCode: 12345678 }],
      ['seven letters', { userCode: 'WDJB-MJH' }],
      ['a vowel', { userCode: 'WDJA-MJHT' }],
      ['an unknown field', { userCode: 'WDJB-MJHT', id: 'x' }],
    ])('refuses %s with validation_failed', async (_label, body) => {
      const response = await app.http().post('/api/qr-sessions/scan-code').set(phone.headers).send(body);
      expect(response.status).toBe(400);
      expect(response.body).toEqual({ statusCode: 400, code: 'validation_failed', message: expect.any(String) });
    });

    it('needs a signed-in phone', async () => {
      const grant = await authorizeDevice(app);
      expect((await app.http().post('/api/qr-sessions/scan-code').send({ userCode: grant.user_code })).body.code).toBe('unauthorized');
      const desktop = await signUpAndLogin(app, { type: 'web' });
      const response = await scanCode(desktop, grant.user_code);
      expect(response.status).toBe(403);
      expect(response.body.code).toBe('forbidden');
    });
  });

  describe('token endpoint', () => {
    it('answers authorization_pending until the phone confirms, then the token once; it works on /api/me as a pc', async () => {
      const grant = await authorizeDevice(app, { client_id: 'test-cli', device_name: 'my laptop' });
      expectOAuthError(await pollToken(app, grant.device_code), 'authorization_pending');
      await waitOutInterval(app, grant.qr_session_id);
      await scanCode(phone, grant.user_code).expect(200);
      expectOAuthError(await pollToken(app, grant.device_code), 'authorization_pending');
      await waitOutInterval(app, grant.qr_session_id);
      const scanned = (await scanCode(phone, grant.user_code).expect(200)).body as ScanCodeResult;
      await app.http().post(`/api/qr-sessions/${scanned.id}/confirm`).set(phone.headers).send({ scanTicket: scanned.scanTicket }).expect(200);

      const response = await pollToken(app, grant.device_code).expect(200);
      expect(response.headers['cache-control']).toBe('no-store');
      expect(response.headers['pragma']).toBe('no-cache');
      expect(response.body).toEqual({
        access_token: expect.any(String),
        token_type: 'Bearer',
        expires_in: expect.any(Number),
        device_id: expect.stringMatching(/^oauth-[A-Za-z0-9_-]{22}$/),
      });
      expect(response.body.expires_in).toBeGreaterThan(2_591_000);
      const { access_token: token, device_id: deviceId } = response.body as { access_token: string; device_id: string };

      const me = await app
        .http()
        .get('/api/me')
        .set({ Authorization: `Bearer ${token}`, 'X-Device-Id': deviceId, 'X-Device-Type': 'pc' })
        .expect(200);
      expect(me.body).toEqual({
        account: { id: phone.login.account.id, username: phone.username, displayName: 'Alice' },
        device: { id: deviceId, type: 'pc', name: 'my laptop' },
      });
      // Bound to its device like every token.
      expect(
        (
          await app
            .http()
            .get('/api/me')
            .set({ Authorization: `Bearer ${token}`, 'X-Device-Id': 'another-device' })
        ).body.code,
      ).toBe('device_mismatch');

      // Issued once: a second redemption is invalid_grant, on time or not.
      await waitOutInterval(app, grant.qr_session_id);
      expectOAuthError(await pollToken(app, grant.device_code), 'invalid_grant');
      expectOAuthError(await pollToken(app, grant.device_code), 'invalid_grant');

      // The phone's device list shows the new device; the audit trail is a QR session's.
      const devices = await app.http().get('/api/devices').set(phone.headers).expect(200);
      expect(devices.body.items.map((item: { id: string }) => item.id)).toContain(deviceId);
      const events = await app.dataSource.query('SELECT type FROM qr_session_events WHERE qr_session_id = $1 ORDER BY id', [grant.qr_session_id]);
      expect(events.map((event: { type: string }) => event.type)).toEqual(['created', 'scanned', 'confirmed']);
    });

    it('answers exactly one of many concurrent redemptions with the token', async () => {
      const grant = await authorizeDevice(app);
      await approve(grant);
      // The polls line up at the redemption itself: a lock on the grant's row, taken on a connection of the test's
      // own (the service's pool is what the polls use), holds them there until several wait.
      const holder = new pg.Client({ connectionString: app.config.databaseUrl });
      await holder.connect();
      let answers: Awaited<ReturnType<typeof pollToken>>[];
      try {
        await holder.query('BEGIN');
        await holder.query('SELECT 1 FROM device_authorizations WHERE qr_session_id = $1 FOR UPDATE', [grant.qr_session_id]);
        const polls = Promise.all(Array.from({ length: 6 }, () => pollToken(app, grant.device_code).then((answer) => answer)));
        // Backends waiting for the holder's lock (pg_stat_activity is read afresh: a transaction keeps its first look).
        const waiting = async (): Promise<number> => {
          await holder.query('SELECT pg_stat_clear_snapshot()');
          const sql = `SELECT count(*)::int AS n FROM pg_stat_activity WHERE wait_event_type = 'Lock' AND query LIKE 'UPDATE device_authorizations%'`;
          return (await holder.query(sql)).rows[0].n;
        };
        while ((await waiting()) < 2) await new Promise((resolve) => setTimeout(resolve, 20));
        await holder.query('COMMIT');
        answers = await polls;
      } finally {
        await holder.end();
      }
      expect(answers.filter((answer) => answer.status === 200)).toHaveLength(1);
      // A decided request is answered at any pace: every other poll reaches the redemption and finds it spent.
      for (const answer of answers.filter((a) => a.status !== 200)) expect(answer.body.error).toBe('invalid_grant');
    });

    it('answers slow_down when polled faster than the interval, and the interval grows by 5 s for that grant only', async () => {
      const grant = await authorizeDevice(app);
      const other = await authorizeDevice(app);
      expectOAuthError(await pollToken(app, grant.device_code), 'authorization_pending');
      expectOAuthError(await pollToken(app, grant.device_code), 'slow_down'); // interval now 10 s
      expect(await interval(grant)).toBe(10);
      await waitOutInterval(app, grant.qr_session_id, 6); // 6 s later: fine at 5 s, too soon at 10 s
      expectOAuthError(await pollToken(app, grant.device_code), 'slow_down'); // interval now 15 s
      await waitOutInterval(app, grant.qr_session_id, 15);
      expectOAuthError(await pollToken(app, grant.device_code), 'authorization_pending');
      expect(await interval(grant)).toBe(15);
      // Another grant keeps its own pace.
      expectOAuthError(await pollToken(app, other.device_code), 'authorization_pending');
      expect(await interval(other)).toBe(5);
    });

    it('holds only a pending request to the pace: a poll too soon still gets the token, or the refusal, once there is one', async () => {
      // A client that fell out of step (x/oauth2 sends each poll twice when the first is refused): the second poll of
      // each round is too soon. Once the phone has decided, that poll ends the polling all the same.
      const approved = await authorizeDevice(app);
      expectOAuthError(await pollToken(app, approved.device_code), 'authorization_pending');
      expectOAuthError(await pollToken(app, approved.device_code), 'slow_down');
      await approve(approved);
      const token = await pollToken(app, approved.device_code);
      expect(token.status).toBe(200);
      expect(token.body.access_token).toEqual(expect.any(String));

      const rejected = await authorizeDevice(app);
      expectOAuthError(await pollToken(app, rejected.device_code), 'authorization_pending');
      const scanned = (await scanCode(phone, rejected.user_code).expect(200)).body as ScanCodeResult;
      await app.http().post(`/api/qr-sessions/${scanned.id}/reject`).set(phone.headers).send({ scanTicket: scanned.scanTicket }).expect(200);
      expectOAuthError(await pollToken(app, rejected.device_code), 'access_denied');
    });

    async function interval(grant: DeviceAuthorization): Promise<number> {
      const [row] = await app.dataSource.query('SELECT poll_interval_seconds FROM device_authorizations WHERE qr_session_id = $1', [
        grant.qr_session_id,
      ]);
      return row.poll_interval_seconds;
    }

    it('answers access_denied when the phone rejects', async () => {
      const grant = await authorizeDevice(app);
      const scanned = (await scanCode(phone, grant.user_code).expect(200)).body as ScanCodeResult;
      await app.http().post(`/api/qr-sessions/${scanned.id}/reject`).set(phone.headers).send({ scanTicket: scanned.scanTicket }).expect(200);
      expectOAuthError(await pollToken(app, grant.device_code), 'access_denied');
    });

    it('answers access_denied when the session is cancelled with the device code as its secret', async () => {
      const grant = await authorizeDevice(app);
      const cancelled = await app.http().delete(`/api/qr-sessions/${grant.qr_session_id}`).set('X-QR-Secret', grant.device_code).expect(200);
      expect(cancelled.body.status).toBe('cancelled');
      expectOAuthError(await pollToken(app, grant.device_code), 'access_denied');
    });

    it('answers expired_token once the codes have expired, and the session is expired on the spot', async () => {
      const grant = await authorizeDevice(app);
      await app.dataSource.query(`UPDATE qr_sessions SET expires_at = now() - interval '1 second' WHERE id = $1`, [grant.qr_session_id]);
      expectOAuthError(await pollToken(app, grant.device_code), 'expired_token');
      const [session] = await app.dataSource.query('SELECT status FROM qr_sessions WHERE id = $1', [grant.qr_session_id]);
      expect(session.status).toBe('expired');
    });

    it('answers invalid_grant to an unknown device code, and to a QR session secret that is not a device code', async () => {
      expectOAuthError(await pollToken(app, 'A'.repeat(43)), 'invalid_grant');
      const { session } = await createQrSession(app);
      expectOAuthError(await pollToken(app, session.secret), 'invalid_grant');
    });

    it('answers invalid_client when client_id differs from the one that asked, without touching the pace', async () => {
      const grant = await authorizeDevice(app, { client_id: 'test-cli' });
      expectOAuthError(await pollToken(app, grant.device_code, 'someone-else'), 'invalid_client');
      expectOAuthError(await pollToken(app, grant.device_code, 'test-cli'), 'authorization_pending');
    });

    it('answers unsupported_grant_type to any other grant type', async () => {
      const grant = await authorizeDevice(app);
      for (const grantType of ['authorization_code', 'client_credentials', 'urn:ietf:params:oauth:grant-type:device_code2']) {
        const response = await app
          .http()
          .post('/oauth/token')
          .type('form')
          .send({ grant_type: grantType, device_code: grant.device_code, client_id: 'test-cli' });
        expectOAuthError(response, 'unsupported_grant_type');
      }
      // Another grant's own parameters, without this grant's: still the grant type that is refused, not the form.
      const refresh = await app.http().post('/oauth/token').type('form').send({ grant_type: 'refresh_token', refresh_token: 'x' });
      expectOAuthError(refresh, 'unsupported_grant_type');
    });

    it.each([
      ['no grant_type', { device_code: 'x', client_id: 'test-cli' }],
      ['no device_code', { grant_type: DEVICE_CODE_GRANT, client_id: 'test-cli' }],
      ['no client_id', { grant_type: DEVICE_CODE_GRANT, device_code: 'x' }],
      ['an empty device_code', { grant_type: DEVICE_CODE_GRANT, device_code: '', client_id: 'test-cli' }],
      ['a malformed client_id', { grant_type: DEVICE_CODE_GRANT, device_code: 'x', client_id: 'a/b' }],
      ['a device_code of 300 characters', { grant_type: DEVICE_CODE_GRANT, device_code: 'x'.repeat(300), client_id: 'test-cli' }],
    ])('answers invalid_request to %s', async (_label, form) => {
      expectOAuthError(await app.http().post('/oauth/token').type('form').send(form), 'invalid_request');
    });

    it('answers invalid_request to a repeated parameter and to a JSON body', async () => {
      const grant = await authorizeDevice(app);
      const form = `grant_type=${encodeURIComponent(DEVICE_CODE_GRANT)}&device_code=${grant.device_code}&device_code=${grant.device_code}&client_id=test-cli`;
      expectOAuthError(await app.http().post('/oauth/token').type('form').send(form), 'invalid_request');
      expectOAuthError(
        await app.http().post('/oauth/token').send({ grant_type: DEVICE_CODE_GRANT, device_code: grant.device_code, client_id: 'test-cli' }),
        'invalid_request',
      );
    });
  });

  describe('watching a device grant like a QR session', () => {
    it('lets a Socket.IO desktop watch it with the device code as its secret, and hands the same token to both', async () => {
      const grant = await authorizeDevice(app);
      const refused = DesktopSocket.connect(app.url, { qrId: grant.qr_session_id, secret: 'B'.repeat(43) });
      await expect(refused).rejects.toThrow('qr_secret_invalid');
      const desktop = await DesktopSocket.connect(app.url, { qrId: grant.qr_session_id, secret: grant.device_code });
      try {
        expect((await desktop.next('status')).status).toBe('pending');
        await approve(grant);
        expect((await desktop.next('scanned')).scannedBy).toEqual({ displayName: 'Alice', username: phone.username });
        const confirmed = await desktop.next('confirmed');
        const token = await pollToken(app, grant.device_code).expect(200);
        expect(confirmed.login?.accessToken).toBe(token.body.access_token);
        expect(confirmed.login?.device).toEqual({ id: token.body.device_id, type: 'pc', name: 'test-cli' });
      } finally {
        desktop.close();
      }
    });

    it("tells the account's other devices of the sign-in, naming the client's device, address and user agent", async () => {
      const tablet = await loginAs(app, phone.username, phone.password, 'android');
      const socket: Socket<AccountServerToClientEvents> = io(`${app.url}${ACCOUNT_NAMESPACE}`, {
        auth: { accessToken: tablet.login.accessToken, deviceId: tablet.deviceId },
        transports: ['websocket'],
        reconnection: false,
        forceNew: true,
      });
      try {
        await new Promise<void>((resolve, reject) => {
          socket.once('connect', resolve);
          socket.once('connect_error', reject);
        });
        const heard = new Promise<SignInAlert>((resolve) => socket.on('sign_in', resolve));
        const grant = await authorizeDevice(app, { client_id: 'test-cli', device_name: 'kiosk' }, 'Kiosk/3.1');
        await approve(grant);
        const token = await pollToken(app, grant.device_code).expect(200);
        expect(await heard).toEqual({
          method: 'qr',
          at: expect.any(String),
          device: { id: token.body.device_id, type: 'pc', name: 'kiosk' },
          ip: '127.0.0.1',
          userAgent: 'Kiosk/3.1',
          approvedBy: phone.deviceId,
        });
      } finally {
        socket.close();
      }
    });

    it('shows in the admin views like any QR session, with its client, pace and token hand-out', async () => {
      const admin = await loginAs(app, 'grant-admin', 'admin password 123', 'web');
      const grant = await authorizeDevice(app, { client_id: 'audited-cli' }, 'AuditedCli/1.0');
      await approve(grant);
      await pollToken(app, grant.device_code, 'audited-cli').expect(200);
      const list = await app.http().get(`/api/admin/qr-sessions?accountId=${phone.login.account.id}&status=confirmed`).set(admin.headers).expect(200);
      expect(list.body.items.map((item: { id: string }) => item.id)).toContain(grant.qr_session_id);
      const detail = await app.http().get(`/api/admin/qr-sessions/${grant.qr_session_id}`).set(admin.headers).expect(200);
      expect(detail.body).toMatchObject({
        status: 'confirmed',
        desktop: { type: 'pc', name: 'audited-cli', ip: '127.0.0.1', userAgent: 'AuditedCli/1.0' },
        account: { id: phone.login.account.id },
        loginIssued: true,
        deviceGrant: { clientId: 'audited-cli', pollIntervalSeconds: 5, lastPolledAt: expect.any(String), tokenIssuedAt: expect.any(String) },
      });
      expect(detail.body.events.map((event: { type: string }) => event.type)).toEqual(['created', 'scanned', 'confirmed']);
      expect(JSON.stringify(detail.body)).not.toContain(grant.device_code);
      const { session } = await createQrSession(app);
      expect((await app.http().get(`/api/admin/qr-sessions/${session.id}`).set(admin.headers).expect(200)).body.deviceGrant).toBeNull();
    });

    it('answers a long-poll with the device code as X-QR-Secret', async () => {
      const grant = await authorizeDevice(app);
      const waiting = app
        .http()
        .get(`/api/qr-sessions/${grant.qr_session_id}?since=pending&wait=20`)
        .set('X-QR-Secret', grant.device_code)
        .then((r) => r);
      await heldLongPolls(app, 1);
      await scanCode(phone, grant.user_code).expect(200);
      const answer = await waiting;
      expect(answer.status).toBe(200);
      expect(answer.body.status).toBe('scanned');
    });
  });
});
