import type { Socket } from 'socket.io-client';
import { ACCOUNT_NAMESPACE, type AccountServerToClientEvents, type SignInAlert } from '@app/contract';
import { EventBus } from '@app/events';
import { DesktopSocket } from './support/desktop-socket';
import { createQrSession, scan, signUpAndLogin } from './support/factories';
import { connectSocket } from './support/socket-client';
import { heldLongPolls, startTestApp, type TestApp } from './support/test-app';
import { createTestDatabase, type TestDatabase } from './support/test-database';

/**
 * Two API instances on one database, as two processes would be: events travel through PostgreSQL NOTIFY, so a
 * desktop watching one instance hears what the phone did through the other.
 */
describe('two API instances on one database', () => {
  let db: TestDatabase;
  let a: TestApp;
  let b: TestApp;

  beforeAll(async () => {
    db = await createTestDatabase();
    a = await startTestApp({}, db);
    b = await startTestApp({}, db);
  });
  afterAll(async () => {
    await a.close();
    await b.close();
    await db.drop();
  });

  it('delivers scanned and confirmed to a socket on the other instance, each exactly once', async () => {
    const phone = await signUpAndLogin(a);
    const { session } = await createQrSession(a);
    const desktopOnB = await DesktopSocket.connect(b.url, { qrId: session.id, secret: session.secret });
    const desktopOnA = await DesktopSocket.connect(a.url, { qrId: session.id, secret: session.secret });
    try {
      await desktopOnB.next('status');
      const { scanTicket } = await scan(a, phone, session.id);
      await b.http().post(`/api/qr-sessions/${session.id}/confirm`).set(phone.headers).send({ scanTicket }).expect(200);
      const confirmed = await desktopOnB.next('confirmed');
      expect(confirmed.login?.accessToken).toEqual(expect.any(String));
      await desktopOnA.next('confirmed');
      // Notifications reach a listener in commit order: once a later change has arrived on both instances, any
      // duplicate of the earlier ones would have arrived too.
      const later = await createQrSession(a);
      const sentinelOnA = await DesktopSocket.connect(a.url, { qrId: later.session.id, secret: later.session.secret });
      const sentinelOnB = await DesktopSocket.connect(b.url, { qrId: later.session.id, secret: later.session.secret });
      await sentinelOnA.next('status');
      await sentinelOnB.next('status');
      await b.http().delete(`/api/qr-sessions/${later.session.id}`).set('X-QR-Secret', later.session.secret).expect(200);
      await sentinelOnA.next('cancelled');
      await sentinelOnB.next('cancelled');
      sentinelOnA.close();
      sentinelOnB.close();
      expect(desktopOnB.events()).toEqual(['status', 'scanned', 'confirmed']);
      expect(desktopOnA.events()).toEqual(['status', 'scanned', 'confirmed']);
      await a
        .http()
        .get('/api/me')
        .set({ Authorization: `Bearer ${confirmed.login!.accessToken}`, 'X-Device-Id': confirmed.login!.device.id })
        .expect(200);
    } finally {
      desktopOnA.close();
      desktopOnB.close();
    }
  });

  it('wakes a long-poll on one instance for a scan through the other', async () => {
    const phone = await signUpAndLogin(b);
    const { session } = await createQrSession(a);
    const waiting = b
      .http()
      .get(`/api/qr-sessions/${session.id}?since=pending&wait=20`)
      .set('X-QR-Secret', session.secret)
      .then((response) => response);
    await heldLongPolls(b, 1);
    await scan(a, phone, session.id);
    expect((await waiting).body.status).toBe('scanned');
  });

  it("tells the account's devices on one instance of a QR sign-in confirmed through the other", async () => {
    const phone = await signUpAndLogin(a);
    const socket: Socket<AccountServerToClientEvents> = await connectSocket(b.url, ACCOUNT_NAMESPACE, {
      auth: { accessToken: phone.login.accessToken, deviceId: phone.deviceId },
    });
    try {
      const heard = new Promise<SignInAlert>((resolve, reject) => {
        socket.once('sign_in', resolve);
        setTimeout(() => reject(new Error('no sign_in alert within 5 s')), 5000).unref();
      });
      const { session, deviceId } = await createQrSession(a);
      const { scanTicket } = await scan(a, phone, session.id);
      await a.http().post(`/api/qr-sessions/${session.id}/confirm`).set(phone.headers).send({ scanTicket }).expect(200);
      expect(await heard).toMatchObject({ method: 'qr', device: { id: deviceId, type: 'web' } });
    } finally {
      socket.close();
    }
  });

  it('revokes a token on every instance at once', async () => {
    const phone = await signUpAndLogin(a);
    await b.http().get('/api/me').set(phone.headers).expect(200);
    await a.http().post('/api/auth/logout').set(phone.headers).expect(204);
    const response = await b.http().get('/api/me').set(phone.headers).expect(401);
    expect(response.body.code).toBe('token_revoked');
  });
});

/**
 * A process alone on the embedded PostgreSQL it started publishes no session changes: no one else can hear them. But
 * the database is reachable, and an operator may start a second process on it by hand (not with WORKERS): that one
 * announces itself, and from then on the first publishes every change, so the second one's desktops hear them.
 */
describe('a process started on the database of one that was alone on it', () => {
  let db: TestDatabase;
  let alone: TestApp;
  let second: TestApp;

  beforeAll(async () => {
    db = await createTestDatabase();
    alone = await startTestApp({}, db, { aloneOnDatabase: true });
  });
  afterAll(async () => {
    await second?.close();
    await alone.close();
    await db.drop();
  });

  it('makes the first one publish: a desktop on the second hears what the phone did through the first', async () => {
    expect(alone.app.get(EventBus).alone).toBe(true);
    second = await startTestApp({}, db);
    // The announcement travels by NOTIFY: it arrives in its own time, within moments.
    const deadline = Date.now() + 5000;
    while (alone.app.get(EventBus).alone && Date.now() < deadline) await new Promise((resolve) => setTimeout(resolve, 20));
    expect(alone.app.get(EventBus).alone).toBe(false);

    const phone = await signUpAndLogin(alone);
    const { session } = await createQrSession(alone);
    const desktop = await DesktopSocket.connect(second.url, { qrId: session.id, secret: session.secret });
    try {
      await desktop.next('status');
      const { scanTicket } = await scan(alone, phone, session.id);
      await desktop.next('scanned');
      await alone.http().post(`/api/qr-sessions/${session.id}/confirm`).set(phone.headers).send({ scanTicket }).expect(200);
      expect((await desktop.next('confirmed')).login?.accessToken).toEqual(expect.any(String));
    } finally {
      desktop.close();
    }
  });
});
