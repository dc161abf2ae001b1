import { JwtService } from '@nestjs/jwt';
import { createHmac } from 'node:crypto';
import { DesktopSocket } from './support/desktop-socket';
import { authorizeDevice } from './support/device-grant';
import { createQrSession, loginAs, scan, signUpAndLogin, type SignedInDevice } from './support/factories';
import { startTestApp, type TestApp } from './support/test-app';

/** Each test tries one attack of the threat list and expects it to fail with the contract's code. */
describe('security', () => {
  let app: TestApp;

  beforeAll(async () => {
    app = await startTestApp();
  });
  afterAll(() => app.close());

  it('tells every cache not to keep an answer that carries a credential: a token, a QR secret or a scan ticket', async () => {
    const phone = await signUpAndLogin(app);
    const login = await app
      .http()
      .post('/api/auth/login')
      .send({ username: phone.username, password: phone.password, device: { id: 'phone-cache-0001', type: 'ios' } })
      .expect(200);
    const created = await app
      .http()
      .post('/api/qr-sessions?image=none')
      .send({ device: { id: 'desk-cache-0001', type: 'web' } })
      .expect(201);
    const scanned = await app.http().post(`/api/qr-sessions/${created.body.id}/scan`).set(phone.headers).expect(200);
    await app.http().post(`/api/qr-sessions/${created.body.id}/confirm`).set(phone.headers).send({ scanTicket: scanned.body.scanTicket }).expect(200);
    const read = await app.http().get(`/api/qr-sessions/${created.body.id}`).set('X-QR-Secret', created.body.secret).expect(200);
    expect(read.body.login.accessToken).toEqual(expect.any(String));
    const grant = await authorizeDevice(app);
    const typed = await app.http().post('/api/qr-sessions/scan-code').set(phone.headers).send({ userCode: grant.user_code }).expect(200);
    expect(typed.body.scanTicket).toEqual(expect.any(String));
    for (const [what, response] of Object.entries({ login, created, scanned, read, typed })) {
      expect([what, response.headers['cache-control']]).toEqual([what, 'no-store']);
    }
  });

  describe('result theft by the QR id (the secret is needed to watch)', () => {
    it('refuses a socket with a wrong or missing secret at the handshake', async () => {
      const { session } = await createQrSession(app);
      await expect(DesktopSocket.connect(app.url, { qrId: session.id, secret: 'A'.repeat(43) })).rejects.toMatchObject({
        message: 'qr_secret_invalid',
      });
      await expect(DesktopSocket.connect(app.url, { qrId: session.id })).rejects.toMatchObject({ message: 'qr_secret_invalid' });
      await expect(DesktopSocket.connect(app.url, { qrId: 'AAAAAAAAAAAAAAAAAAAAAA', secret: session.secret })).rejects.toMatchObject({
        message: 'qr_not_found',
      });
      await expect(DesktopSocket.connect(app.url, { qrId: 42 })).rejects.toMatchObject({ message: 'validation_failed' });
    });

    it('refuses long-poll and cancel with a wrong or missing secret', async () => {
      const { session } = await createQrSession(app);
      const wrong = await app.http().get(`/api/qr-sessions/${session.id}?since=pending&wait=5`).set('X-QR-Secret', 'nope').expect(403);
      expect(wrong.body).toEqual({ statusCode: 403, code: 'qr_secret_invalid', message: expect.any(String) });
      const missing = await app.http().get(`/api/qr-sessions/${session.id}`).expect(403);
      expect(missing.body.code).toBe('qr_secret_invalid');
      const cancel = await app.http().delete(`/api/qr-sessions/${session.id}`).set('X-QR-Secret', 'x'.repeat(43)).expect(403);
      expect(cancel.body.code).toBe('qr_secret_invalid');
    });

    it('never sends the desktop token to a socket of another session', async () => {
      const phone = await signUpAndLogin(app);
      const victim = await createQrSession(app);
      const attacker = await createQrSession(app);
      const spy = await DesktopSocket.connect(app.url, { qrId: attacker.session.id, secret: attacker.session.secret });
      const owner = await DesktopSocket.connect(app.url, { qrId: victim.session.id, secret: victim.session.secret });
      try {
        const { scanTicket } = await scan(app, phone, victim.session.id);
        await app.http().post(`/api/qr-sessions/${victim.session.id}/confirm`).set(phone.headers).send({ scanTicket }).expect(200);
        await owner.next('confirmed');
        expect(spy.events()).toEqual(['status']);
      } finally {
        spy.close();
        owner.close();
      }
    });
  });

  describe('approval by the wrong party', () => {
    it('does not let a desktop device scan', async () => {
      const desktopUser = await signUpAndLogin(app, { type: 'web' });
      const { session } = await createQrSession(app);
      const response = await app.http().post(`/api/qr-sessions/${session.id}/scan`).set(desktopUser.headers).expect(403);
      expect(response.body.code).toBe('forbidden');
    });

    it('refuses a scan ticket presented by another account', async () => {
      const scanner = await signUpAndLogin(app);
      const other = await signUpAndLogin(app);
      const { session } = await createQrSession(app);
      const { scanTicket } = await scan(app, scanner, session.id);
      const response = await app.http().post(`/api/qr-sessions/${session.id}/confirm`).set(other.headers).send({ scanTicket }).expect(403);
      expect(response.body.code).toBe('scan_ticket_invalid');
    });

    it('refuses a scan ticket presented by another device of the same account', async () => {
      const scanner = await signUpAndLogin(app);
      const sameAccountOtherPhone = await signUpAndLogin(app, { username: scanner.username, password: scanner.password, type: 'android' });
      const { session } = await createQrSession(app);
      const { scanTicket } = await scan(app, scanner, session.id);
      const response = await app
        .http()
        .post(`/api/qr-sessions/${session.id}/reject`)
        .set(sameAccountOtherPhone.headers)
        .send({ scanTicket })
        .expect(403);
      expect(response.body.code).toBe('scan_ticket_invalid');
    });

    it('refuses a ticket of another session, an invented ticket, and a ticket replaced by a re-scan', async () => {
      const phone = await signUpAndLogin(app);
      const first = await createQrSession(app);
      const second = await createQrSession(app);
      const ticketOfFirst = (await scan(app, phone, first.session.id)).scanTicket;
      await scan(app, phone, second.session.id);
      for (const scanTicket of [ticketOfFirst, 'made-up-ticket']) {
        const response = await app.http().post(`/api/qr-sessions/${second.session.id}/confirm`).set(phone.headers).send({ scanTicket });
        expect(response.status).toBe(403);
        expect(response.body.code).toBe('scan_ticket_invalid');
      }
      const renewed = await scan(app, phone, first.session.id);
      expect(renewed.scanTicket).not.toBe(ticketOfFirst);
      const stale = await app.http().post(`/api/qr-sessions/${first.session.id}/confirm`).set(phone.headers).send({ scanTicket: ticketOfFirst });
      expect(stale.body.code).toBe('scan_ticket_invalid');
      await app.http().post(`/api/qr-sessions/${first.session.id}/confirm`).set(phone.headers).send({ scanTicket: renewed.scanTicket }).expect(200);
    });

    it('refuses a used ticket', async () => {
      const phone = await signUpAndLogin(app);
      const { session } = await createQrSession(app);
      const { scanTicket } = await scan(app, phone, session.id);
      await app.http().post(`/api/qr-sessions/${session.id}/confirm`).set(phone.headers).send({ scanTicket }).expect(200);
      const again = await app.http().post(`/api/qr-sessions/${session.id}/confirm`).set(phone.headers).send({ scanTicket }).expect(409);
      expect(again.body.code).toBe('qr_already_completed');
      const reject = await app.http().post(`/api/qr-sessions/${session.id}/reject`).set(phone.headers).send({ scanTicket }).expect(409);
      expect(reject.body.code).toBe('qr_already_completed');
    });

    it('refuses an expired scan ticket, and a ticket marked used, while the session is still open', async () => {
      const phone = await signUpAndLogin(app);
      const { session } = await createQrSession(app);
      const { scanTicket } = await scan(app, phone, session.id);
      await app.dataSource.query(`UPDATE qr_sessions SET scan_ticket_expires_at = now() - interval '1 second' WHERE id = $1`, [session.id]);
      const expired = await app.http().post(`/api/qr-sessions/${session.id}/confirm`).set(phone.headers).send({ scanTicket }).expect(403);
      expect(expired.body.code).toBe('scan_ticket_invalid');
      await app.dataSource.query(
        `UPDATE qr_sessions SET scan_ticket_expires_at = now() + interval '1 minute', scan_ticket_used_at = now() WHERE id = $1`,
        [session.id],
      );
      const used = await app.http().post(`/api/qr-sessions/${session.id}/reject`).set(phone.headers).send({ scanTicket }).expect(403);
      expect(used.body.code).toBe('scan_ticket_invalid');
      const [row] = await app.dataSource.query('SELECT status FROM qr_sessions WHERE id = $1', [session.id]);
      expect(row.status).toBe('scanned');
    });

    it('does not let a desktop take over the device of the phone that confirms', async () => {
      const phone = await signUpAndLogin(app);
      // The attacker's desktop claims the victim phone's device id.
      const created = await app
        .http()
        .post('/api/qr-sessions?image=none')
        .send({ device: { id: phone.deviceId, type: 'pc', name: 'Evil' } })
        .expect(201);
      const { scanTicket } = await scan(app, phone, created.body.id);
      // Last seen long ago: the confirmation's statement notes the phone as seen, in the row the desktop's upsert
      // would reach, and must still answer forbidden, not fail.
      await app.dataSource.query(`UPDATE devices SET last_seen_at = now() - interval '1 hour' WHERE client_device_id = $1`, [phone.deviceId]);
      const response = await app.http().post(`/api/qr-sessions/${created.body.id}/confirm`).set(phone.headers).send({ scanTicket }).expect(403);
      expect(response.body.code).toBe('forbidden');
      const me = await app.http().get('/api/me').set(phone.headers).expect(200);
      expect(me.body.device).toMatchObject({ id: phone.deviceId, type: 'ios' });
      const [row] = await app.dataSource.query('SELECT status, login_token_id FROM qr_sessions WHERE id = $1', [created.body.id]);
      expect(row).toEqual({ status: 'scanned', login_token_id: null });
      // Nor can a password sign-in on that id change the device's type.
      const login = await app
        .http()
        .post('/api/auth/login')
        .send({ username: phone.username, password: phone.password, device: { id: phone.deviceId, type: 'web' } })
        .expect(401);
      expect(login.body.code).toBe('device_mismatch');
    });

    it('does not let a desktop take over another device of the confirming account, say its tablet', async () => {
      const phone = await signUpAndLogin(app);
      const tablet = await loginAs(app, phone.username, phone.password, 'android');
      // The desktop claims the tablet's device id: not the confirming phone's, so only the device's type tells.
      const created = await app
        .http()
        .post('/api/qr-sessions?image=none')
        .send({ device: { id: tablet.deviceId, type: 'pc', name: 'Evil' } })
        .expect(201);
      const { scanTicket } = await scan(app, phone, created.body.id);
      const response = await app.http().post(`/api/qr-sessions/${created.body.id}/confirm`).set(phone.headers).send({ scanTicket }).expect(403);
      expect(response.body.code).toBe('forbidden');
      const [device] = await app.dataSource.query('SELECT type, signed_out_at FROM devices WHERE client_device_id = $1', [tablet.deviceId]);
      expect(device).toEqual({ type: 'android', signed_out_at: null });
      const [row] = await app.dataSource.query('SELECT status, login_token_id FROM qr_sessions WHERE id = $1', [created.body.id]);
      expect(row).toEqual({ status: 'scanned', login_token_id: null });
      await app.http().get('/api/me').set(tablet.headers).expect(200);
    });

    it('answers qr_already_scanned to another phone of the same account, and the first phone still confirms', async () => {
      const phone = await signUpAndLogin(app);
      const sameAccount = await loginAs(app, phone.username, phone.password, 'android');
      const { session } = await createQrSession(app);
      const { scanTicket } = await scan(app, phone, session.id);
      const response = await app.http().post(`/api/qr-sessions/${session.id}/scan`).set(sameAccount.headers).expect(409);
      expect(response.body.code).toBe('qr_already_scanned');
      await app.http().post(`/api/qr-sessions/${session.id}/confirm`).set(phone.headers).send({ scanTicket }).expect(200);
    });

    it('answers qr_already_scanned to a second phone, and a fresh ticket to the same phone', async () => {
      const phone = await signUpAndLogin(app);
      const intruder = await signUpAndLogin(app);
      const { session } = await createQrSession(app);
      const first = await scan(app, phone, session.id);
      const again = await scan(app, phone, session.id);
      expect(again.scanTicket).not.toBe(first.scanTicket);
      const response = await app.http().post(`/api/qr-sessions/${session.id}/scan`).set(intruder.headers).expect(409);
      expect(response.body.code).toBe('qr_already_scanned');
    });

    it('answers qr_not_scanned to a confirm before any scan', async () => {
      const phone = await signUpAndLogin(app);
      const { session } = await createQrSession(app);
      const response = await app
        .http()
        .post(`/api/qr-sessions/${session.id}/confirm`)
        .set(phone.headers)
        .send({ scanTicket: 'x'.repeat(43) })
        .expect(409);
      expect(response.body.code).toBe('qr_not_scanned');
    });
  });

  describe('token replay, revocation and forgery', () => {
    it('refuses a token shown with another device id or device type', async () => {
      const phone = await signUpAndLogin(app);
      const otherId = await app
        .http()
        .get('/api/me')
        .set({ ...phone.headers, 'X-Device-Id': 'someone-elses-phone' })
        .expect(401);
      expect(otherId.body.code).toBe('device_mismatch');
      const otherType = await app
        .http()
        .get('/api/me')
        .set({ ...phone.headers, 'X-Device-Type': 'android' })
        .expect(401);
      expect(otherType.body.code).toBe('device_mismatch');
      await app
        .http()
        .get('/api/me')
        .set({ ...phone.headers, 'X-Device-Type': 'ios' })
        .expect(200);
    });

    it('kills a token at logout', async () => {
      const phone = await signUpAndLogin(app);
      await app.http().post('/api/auth/logout').set(phone.headers).expect(204);
      const response = await app.http().get('/api/me').set(phone.headers).expect(401);
      expect(response.body.code).toBe('token_revoked');
    });

    it('kills every token of a device signed out from another device, and lists only signed-in devices', async () => {
      const phone = await signUpAndLogin(app);
      const tablet = await signUpAndLogin(app, { username: phone.username, password: phone.password, type: 'android' });
      const listed = await app.http().get('/api/devices').set(phone.headers).expect(200);
      expect(listed.body.items).toEqual(
        expect.arrayContaining([
          expect.objectContaining({ id: phone.deviceId, type: 'ios', current: true }),
          expect.objectContaining({ id: tablet.deviceId, type: 'android', current: false }),
        ]),
      );
      await app.http().delete(`/api/devices/${tablet.deviceId}`).set(phone.headers).expect(204);
      const response = await app.http().get('/api/me').set(tablet.headers).expect(401);
      expect(response.body.code).toBe('token_revoked');
      const after = await app.http().get('/api/devices').set(phone.headers).expect(200);
      expect(after.body.items.map((item: { id: string }) => item.id)).toEqual([phone.deviceId]);
      const unknown = await app.http().delete('/api/devices/not-a-device-of-mine').set(phone.headers).expect(404);
      expect(unknown.body.code).toBe('not_found');
    });

    it('refuses forged tokens: alg none, wrong key, altered claims, expired', async () => {
      const phone = await signUpAndLogin(app);
      const [header, payload] = phone.login.accessToken.split('.');
      const claims = JSON.parse(Buffer.from(payload, 'base64url').toString());
      const encode = (value: object) => Buffer.from(JSON.stringify(value)).toString('base64url');
      const sign = (h: string, p: string, key: string) => createHmac('sha256', key).update(`${h}.${p}`).digest('base64url');

      const none = `${encode({ alg: 'none', typ: 'JWT' })}.${payload}.`;
      const wrongKey = `${header}.${payload}.${sign(header, payload, 'not-the-server-key-not-the-server-key')}`;
      const altered = `${header}.${encode({ ...claims, sub: '00000000-0000-4000-8000-000000000000' })}.${phone.login.accessToken.split('.')[2]}`;
      const expiredPayload = encode({ ...claims, exp: Math.floor(Date.now() / 1000) - 60 });
      const expired = `${header}.${expiredPayload}.${sign(header, expiredPayload, 'test-secret-that-is-long-enough-for-hs256-0123456789')}`;

      for (const token of [none, wrongKey, altered, expired, 'garbage', '']) {
        const response = await app
          .http()
          .get('/api/me')
          .set({ Authorization: `Bearer ${token}`, 'X-Device-Id': phone.deviceId });
        expect({ token, status: response.status, code: response.body.code }).toEqual({ token, status: 401, code: 'unauthorized' });
      }
      const noHeader = await app.http().get('/api/me').set('X-Device-Id', phone.deviceId).expect(401);
      expect(noHeader.body.code).toBe('unauthorized');
    });

    it('refuses a wrong password and an unknown user alike', async () => {
      const phone = await signUpAndLogin(app);
      const device = { id: 'login-probe-01', type: 'ios' };
      const wrong = await app.http().post('/api/auth/login').send({ username: phone.username, password: 'wrong password', device }).expect(401);
      const unknown = await app.http().post('/api/auth/login').send({ username: 'nobody-at-all', password: 'wrong password', device }).expect(401);
      expect(wrong.body).toEqual(unknown.body);
      expect(wrong.body.code).toBe('invalid_credentials');
    });

    it('refuses a second registration of a username', async () => {
      const phone = await signUpAndLogin(app);
      const response = await app.http().post('/api/accounts').send({ username: phone.username, password: 'another password' }).expect(409);
      expect(response.body.code).toBe('username_taken');
    });
  });

  describe("a phone's token, checked by the statement that changes the session", () => {
    type Action = 'scan' | 'confirm' | 'reject';

    /** A session in the state the action needs: pending for a scan, scanned by `phone` for a confirm or a reject. */
    async function sessionFor(action: Action, phone: SignedInDevice): Promise<{ id: string; scanTicket?: string }> {
      const { session } = await createQrSession(app);
      if (action === 'scan') return { id: session.id };
      return { id: session.id, scanTicket: (await scan(app, phone, session.id)).scanTicket };
    }

    function act(action: Action, target: { id: string; scanTicket?: string }, headers: Record<string, string>) {
      const request = app.http().post(`/api/qr-sessions/${target.id}/${action}`).set(headers);
      return action === 'scan' ? request : request.send({ scanTicket: target.scanTicket });
    }

    /** The session's row and the number of its audit rows: what a refused request must leave as it was. */
    async function stateOf(id: string): Promise<unknown> {
      const [row] = await app.dataSource.query(
        `SELECT status, scanned_by_account_id, scan_ticket_hash, scan_ticket_used_at, login_token_id,
                (SELECT count(*)::int FROM qr_session_events WHERE qr_session_id = $1) AS events
           FROM qr_sessions WHERE id = $1`,
        [id],
      );
      return row;
    }

    /** Signs the same device in again: a new token for the device row the session was scanned with. */
    async function signInAgain(phone: SignedInDevice): Promise<Record<string, string>> {
      const response = await app
        .http()
        .post('/api/auth/login')
        .send({ username: phone.username, password: phone.password, device: { id: phone.deviceId, type: phone.deviceType } })
        .expect(200);
      return { Authorization: `Bearer ${response.body.accessToken}`, 'X-Device-Id': phone.deviceId };
    }

    const claimsOf = (device: SignedInDevice) =>
      JSON.parse(Buffer.from(device.login.accessToken.split('.')[1], 'base64url').toString()) as { sub: string; jti: string };
    const jtiOf = (device: SignedInDevice) => claimsOf(device).jti;

    it.each<Action>(['scan', 'confirm', 'reject'])('%s: a revoked token changes nothing; the same device signed in again can', async (action) => {
      const phone = await signUpAndLogin(app);
      const target = await sessionFor(action, phone);
      const before = await stateOf(target.id);
      await app.dataSource.query(`UPDATE access_tokens SET revoked_at = now(), revoke_reason = 'logout' WHERE id = $1`, [jtiOf(phone)]);
      expect((await act(action, target, phone.headers).expect(401)).body.code).toBe('token_revoked');
      expect(await stateOf(target.id)).toEqual(before);
      // Nothing was spent: the ticket still holds for the device that scanned, with a token that stands.
      await act(action, target, await signInAgain(phone)).expect(200);
    });

    it.each<Action>(['scan', 'confirm', 'reject'])('%s: a deleted token changes nothing', async (action) => {
      const phone = await signUpAndLogin(app);
      const target = await sessionFor(action, phone);
      const before = await stateOf(target.id);
      await app.dataSource.query('DELETE FROM access_tokens WHERE id = $1', [jtiOf(phone)]);
      expect((await act(action, target, phone.headers).expect(401)).body.code).toBe('unauthorized');
      expect(await stateOf(target.id)).toEqual(before);
    });

    it.each<Action>(['scan', 'confirm', 'reject'])(
      "%s: a well-signed token that names another account than its row's changes nothing",
      async (action) => {
        const phone = await signUpAndLogin(app);
        const other = await signUpAndLogin(app);
        const target = await sessionFor(action, phone);
        const before = await stateOf(target.id);
        // What a leaked signing key would allow: this token's id, the other account's id. The row decides.
        const claims = { ...claimsOf(phone), sub: claimsOf(other).sub };
        const forged = app.app.get(JwtService).sign(claims, { algorithm: 'HS256' });
        const headers = { ...phone.headers, Authorization: `Bearer ${forged}` };
        expect((await act(action, target, headers).expect(401)).body.code).toBe('unauthorized');
        expect(await stateOf(target.id)).toEqual(before);
      },
    );

    it.each<Action>(['scan', 'confirm', 'reject'])('%s: a well-signed token whose record has expired changes nothing', async (action) => {
      const phone = await signUpAndLogin(app);
      const target = await sessionFor(action, phone);
      const before = await stateOf(target.id);
      // What a leaked signing key would allow: a token signed again with a later exp. Its record's expiry decides.
      await app.dataSource.query(`UPDATE access_tokens SET expires_at = now() - interval '1 second' WHERE id = $1`, [jtiOf(phone)]);
      expect((await act(action, target, phone.headers).expect(401)).body.code).toBe('unauthorized');
      expect(await stateOf(target.id)).toEqual(before);
      // And on a route that checks the token on its own.
      expect((await app.http().get('/api/me').set(phone.headers).expect(401)).body.code).toBe('unauthorized');
    });

    it("answers a desktop's revoked token for the token before saying that only a phone may scan", async () => {
      const desktop = await signUpAndLogin(app, { type: 'pc' });
      const { session } = await createQrSession(app);
      await app.dataSource.query(`UPDATE access_tokens SET revoked_at = now(), revoke_reason = 'logout' WHERE id = $1`, [jtiOf(desktop)]);
      expect((await act('scan', { id: session.id }, desktop.headers).expect(401)).body.code).toBe('token_revoked');
      expect((await stateOf(session.id)) as { status: string }).toMatchObject({ status: 'pending' });
    });
  });

  describe('secrets at rest', () => {
    it('stores passwords as scrypt hashes and QR secrets and tickets only as SHA-256', async () => {
      const phone = await signUpAndLogin(app);
      const { session } = await createQrSession(app);
      const { scanTicket } = await scan(app, phone, session.id);
      const [account] = await app.dataSource.query('SELECT password_hash FROM accounts WHERE id = $1', [phone.login.account.id]);
      expect(account.password_hash).toMatch(/^scrypt\$/);
      expect(account.password_hash).not.toContain(phone.password);
      const dump = JSON.stringify(await app.dataSource.query('SELECT * FROM qr_sessions WHERE id = $1', [session.id]));
      expect(dump).not.toContain(session.secret);
      expect(dump).not.toContain(scanTicket);
      const tokens = JSON.stringify(await app.dataSource.query('SELECT * FROM access_tokens'));
      expect(tokens).not.toContain(phone.login.accessToken);
    });
  });
});
