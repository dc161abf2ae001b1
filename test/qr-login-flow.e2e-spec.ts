import type { EventEmitter } from 'node:events';
import { jest } from '@jest/globals';
import { Socket as EngineSocket } from 'engine.io-client';
import { get } from 'node:http';
import type { Namespace } from 'socket.io';
import type { QrSessionSnapshot } from '@app/contract';
import { QrSessionWaiters } from '@app/qr-sessions';
import { QrGateway } from '@app/realtime';
import { DesktopSocket } from './support/desktop-socket';
import { createQrSession, scan, signUpAndLogin } from './support/factories';
import { heldLongPolls, startTestApp, TEST_PUBLIC_URL, type TestApp } from './support/test-app';

describe('QR login, end to end', () => {
  let app: TestApp;
  const sockets: DesktopSocket[] = [];

  beforeAll(async () => {
    app = await startTestApp();
  });
  afterEach(() => sockets.splice(0).forEach((socket) => socket.close()));
  afterAll(() => app.close());

  async function watch(qrId: string, secret: string): Promise<DesktopSocket> {
    const socket = await DesktopSocket.connect(app.url, { qrId, secret });
    sockets.push(socket);
    return socket;
  }

  it('signs a desktop in over HTTP and Socket.IO: status, scanned, confirmed with its own token', async () => {
    const phone = await signUpAndLogin(app, { displayName: 'Alice Phone' });
    const { deviceId: desktopId, session } = await createQrSession(app, { userAgent: 'Firefox/140 (desktop test)' });
    expect(session).toMatchObject({ status: 'pending', qrContent: `${TEST_PUBLIC_URL}/q/${session.id}` });
    expect(session.qrContent).not.toContain(session.secret);

    const desktop = await watch(session.id, session.secret);
    expect(await desktop.next('status')).toMatchObject({ id: session.id, status: 'pending' });

    const scanned = await scan(app, phone, session.id);
    expect(scanned).toMatchObject({
      id: session.id,
      status: 'scanned',
      requester: { device: { type: 'web', name: 'Test browser' }, userAgent: 'Firefox/140 (desktop test)' },
    });
    expect(scanned.requester.ip).toBe('127.0.0.1');
    expect(Date.parse(scanned.ticketExpiresAt)).toBeGreaterThan(Date.now());
    const scannedEvent = await desktop.next('scanned');
    // The username beside the display name: display names can imitate one another, usernames cannot.
    expect(scannedEvent).toMatchObject({ status: 'scanned', scannedBy: { displayName: 'Alice Phone', username: phone.username } });
    expect(scannedEvent.login).toBeUndefined();

    await app
      .http()
      .post(`/api/qr-sessions/${session.id}/confirm`)
      .set(phone.headers)
      .send({ scanTicket: scanned.scanTicket })
      .expect(200, { id: session.id, status: 'confirmed' });

    const confirmed = await desktop.next('confirmed');
    expect(confirmed.status).toBe('confirmed');
    expect(confirmed.login).toMatchObject({
      tokenType: 'Bearer',
      account: { id: phone.login.account.id, username: phone.username, displayName: 'Alice Phone' },
      device: { id: desktopId, type: 'web', name: 'Test browser' },
    });
    expect(desktop.events()).toEqual(['status', 'scanned', 'confirmed']);

    // The desktop's token is its own: bound to the desktop's device id, refused with any other.
    const token = confirmed.login!.accessToken;
    expect(token).not.toBe(phone.login.accessToken);
    const me = await app
      .http()
      .get('/api/me')
      .set({ Authorization: `Bearer ${token}`, 'X-Device-Id': desktopId })
      .expect(200);
    expect(me.body).toEqual({
      account: { id: phone.login.account.id, username: phone.username, displayName: 'Alice Phone' },
      device: { id: desktopId, type: 'web', name: 'Test browser' },
    });
    const mismatch = await app
      .http()
      .get('/api/me')
      .set({ Authorization: `Bearer ${token}`, 'X-Device-Id': phone.deviceId })
      .expect(401);
    expect(mismatch.body.code).toBe('device_mismatch');

    // The secret holder reads the same login from the snapshot within the pickup window.
    const snapshot = await app.http().get(`/api/qr-sessions/${session.id}`).set('X-QR-Secret', session.secret).expect(200);
    expect(snapshot.body.login.accessToken).toBe(token);
  });

  it('names the scanner by username too, so that a lookalike display name cannot pass for another account', async () => {
    // "Аlice" starts with a Cyrillic А (U+0410): on screen it is "Alice".
    const alice = await signUpAndLogin(app, { displayName: 'Alice' });
    const impostor = await signUpAndLogin(app, { displayName: '\u0410lice' });
    const seen: Array<{ displayName: string; username: string }> = [];
    for (const phone of [alice, impostor]) {
      const { session } = await createQrSession(app);
      const desktop = await watch(session.id, session.secret);
      await scan(app, phone, session.id);
      seen.push((await desktop.next('scanned')).scannedBy!);
      const polled = await app.http().get(`/api/qr-sessions/${session.id}`).set('X-QR-Secret', session.secret).expect(200);
      expect(polled.body.scannedBy).toEqual(seen.at(-1));
    }
    expect(seen).toEqual([
      { displayName: 'Alice', username: alice.username },
      { displayName: '\u0410lice', username: impostor.username },
    ]);
    expect(seen[0].username).not.toBe(seen[1].username);
  });

  it('signs a desktop in watched by long-poll only', async () => {
    const phone = await signUpAndLogin(app);
    const { session } = await createQrSession(app);
    const poll = (since: string, wait = 10) =>
      app.http().get(`/api/qr-sessions/${session.id}?since=${since}&wait=${wait}`).set('X-QR-Secret', session.secret);

    const first = await poll('pending', 0);
    expect(first.body).toMatchObject({ id: session.id, status: 'pending' });

    const waitingForScan = poll('pending').then((response) => response);
    await heldLongPolls(app, 1);
    const scanned = await scan(app, phone, session.id);
    const afterScan = await waitingForScan;
    expect(afterScan.status).toBe(200);
    expect(afterScan.body).toMatchObject({ status: 'scanned', scannedBy: { displayName: `Name of ${phone.username}`, username: phone.username } });

    const waitingForConfirm = poll('scanned').then((response) => response);
    await heldLongPolls(app, 1);
    await app.http().post(`/api/qr-sessions/${session.id}/confirm`).set(phone.headers).send({ scanTicket: scanned.scanTicket }).expect(200);
    const afterConfirm = (await waitingForConfirm).body as QrSessionSnapshot;
    expect(afterConfirm.status).toBe('confirmed');
    expect(afterConfirm.login?.accessToken).toEqual(expect.any(String));
  });

  describe('long-poll semantics', () => {
    it('answers at once when the status differs from since', async () => {
      const { session } = await createQrSession(app);
      const started = Date.now();
      const response = await app.http().get(`/api/qr-sessions/${session.id}?since=scanned&wait=20`).set('X-QR-Secret', session.secret).expect(200);
      expect(response.body.status).toBe('pending');
      expect(Date.now() - started).toBeLessThan(10_000);
    });

    it('holds the request while the status equals since, and answers when it changes', async () => {
      const phone = await signUpAndLogin(app);
      const { session } = await createQrSession(app);
      let answered = false;
      const waiting = app
        .http()
        .get(`/api/qr-sessions/${session.id}?since=pending&wait=20`)
        .set('X-QR-Secret', session.secret)
        .then((response) => {
          answered = true;
          return response;
        });
      await heldLongPolls(app, 1);
      // Held, not answered, while other requests come and go.
      await app.http().get(`/api/qr-sessions/${session.id}`).set('X-QR-Secret', session.secret).expect(200);
      expect(answered).toBe(false);
      await scan(app, phone, session.id);
      expect((await waiting).body.status).toBe('scanned');
    });

    it('answers the unchanged snapshot when wait runs out', async () => {
      const { session } = await createQrSession(app);
      const started = Date.now();
      const response = await app.http().get(`/api/qr-sessions/${session.id}?since=pending&wait=1`).set('X-QR-Secret', session.secret).expect(200);
      expect(response.body).toMatchObject({ id: session.id, status: 'pending' });
      expect(Date.now() - started).toBeGreaterThanOrEqual(900);
    });

    it('lets go of a held request when the desktop goes away, long before wait runs out', async () => {
      const { session } = await createQrSession(app);
      const request = get(`${app.url}/api/qr-sessions/${session.id}?since=pending&wait=20`, { headers: { 'X-QR-Secret': session.secret } });
      request.on('error', () => undefined);
      await heldLongPolls(app, 1);
      request.destroy();
      const waiters = app.app.get(QrSessionWaiters);
      const deadline = Date.now() + 5000;
      while (waiters.size > 0 && Date.now() < deadline) await new Promise((resolve) => setTimeout(resolve, 10));
      expect(waiters.size).toBe(0);
    });

    it('does not abort a read it has answered (an abort costs a DOMException and its stack trace)', async () => {
      const { session } = await createQrSession(app);
      const abort = jest.spyOn(AbortController.prototype, 'abort');
      try {
        await app.http().get(`/api/qr-sessions/${session.id}`).set('X-QR-Secret', session.secret).expect(200);
        await new Promise((resolve) => setTimeout(resolve, 50));
        expect(abort).not.toHaveBeenCalled();
      } finally {
        abort.mockRestore();
      }
    });

    it('answers at once for since without wait', async () => {
      const { session } = await createQrSession(app);
      const response = await app.http().get(`/api/qr-sessions/${session.id}?since=pending`).set('X-QR-Secret', session.secret).expect(200);
      expect(response.body.status).toBe('pending');
    });
  });

  it('leaves no listener behind on a connection that carries many /qr sockets, one handshake after another', async () => {
    const sessions = await Promise.all(Array.from({ length: 12 }, () => createQrSession(app)));
    // One Engine.IO connection, and a Socket.IO CONNECT packet for each session on it (what socket.io-client does
    // for several namespaces, done here for one).
    const engine = new EngineSocket(app.url, { path: '/socket.io/', transports: ['websocket'] });
    try {
      await new Promise<void>((resolve, reject) => {
        engine.once('open', () => resolve());
        engine.once('error', reject);
      });
      // The gateway's namespace: every socket on it shares the one connection.
      const namespace = (app.app.get(QrGateway) as unknown as { namespace: Namespace }).namespace;
      const connection = (namespace.server.engine as unknown as { clients: Record<string, EventEmitter> }).clients[engine.id!];
      // Its `close` listeners at their most, while the twelve handshakes are in flight together.
      let peak = connection.listenerCount('close');
      connection.on('newListener', (event) => {
        if (event === 'close') peak = Math.max(peak, connection.listenerCount('close') + 1);
      });
      const connected = new Promise<void>((resolve) => {
        let count = 0;
        engine.on('message', (data) => {
          if (String(data).startsWith('0/qr,') && ++count === sessions.length) resolve();
        });
      });
      for (const { session } of sessions) engine.send(`0/qr,${JSON.stringify({ qrId: session.id, secret: session.secret })}`);
      await connected;
      const connections = new Set([...namespace.sockets.values()].map((socket) => socket.conn));
      expect(connections).toEqual(new Set([connection]));
      // Socket.IO's own listeners, not one per handshake (12 would make Node warn of a leak), then or now.
      expect(peak).toBeLessThan(4);
      expect(connection.listenerCount('close')).toBeLessThan(4);
    } finally {
      engine.close();
    }
  });

  it('pushes rejected when the phone rejects', async () => {
    const phone = await signUpAndLogin(app);
    const { session } = await createQrSession(app);
    const desktop = await watch(session.id, session.secret);
    const { scanTicket } = await scan(app, phone, session.id);
    await app
      .http()
      .post(`/api/qr-sessions/${session.id}/reject`)
      .set(phone.headers)
      .send({ scanTicket })
      .expect(200, { id: session.id, status: 'rejected' });
    expect(await desktop.next('rejected')).toMatchObject({ id: session.id, status: 'rejected' });
    expect((await desktop.next('rejected')).login).toBeUndefined();
  });

  it('pushes cancelled when the desktop cancels, and answers the cancelled snapshot', async () => {
    const { session } = await createQrSession(app);
    const desktop = await watch(session.id, session.secret);
    const response = await app.http().delete(`/api/qr-sessions/${session.id}`).set('X-QR-Secret', session.secret).expect(200);
    expect(response.body).toMatchObject({ id: session.id, status: 'cancelled' });
    expect(await desktop.next('cancelled')).toMatchObject({ status: 'cancelled' });
  });

  it('renders the QR as SVG by default, PNG on request, none with image=none, and at qr.svg / qr.png', async () => {
    const svg = await app
      .http()
      .post('/api/qr-sessions')
      .send({ device: { id: 'desk-svg-0001', type: 'pc' } })
      .expect(201);
    expect(svg.body.qrImage).toMatch(/^data:image\/svg\+xml;base64,/);
    expect(Buffer.from(svg.body.qrImage.split(',')[1], 'base64').toString()).toContain('<svg');
    const png = await app
      .http()
      .post('/api/qr-sessions?image=png')
      .send({ device: { id: 'desk-png-0001', type: 'pc' } })
      .expect(201);
    expect(png.body.qrImage).toMatch(/^data:image\/png;base64,iVBORw0KGgo/);
    const none = await app
      .http()
      .post('/api/qr-sessions?image=none')
      .send({ device: { id: 'desk-none-001', type: 'pc' } })
      .expect(201);
    expect(none.body.qrImage).toBeUndefined();

    const id = svg.body.id as string;
    const svgFile = await app.http().get(`/api/qr-sessions/${id}/qr.svg`).expect(200);
    expect(svgFile.headers['content-type']).toMatch(/^image\/svg\+xml/);
    expect(String(svgFile.text ?? svgFile.body)).toContain('<svg');
    const pngFile = await app.http().get(`/api/qr-sessions/${id}/qr.png`).buffer(true).expect(200);
    expect(pngFile.headers['content-type']).toBe('image/png');
    expect((pngFile.body as Buffer).subarray(0, 8)).toEqual(Buffer.from([0x89, 0x50, 0x4e, 0x47, 0x0d, 0x0a, 0x1a, 0x0a]));
    const missing = await app.http().get('/api/qr-sessions/AAAAAAAAAAAAAAAAAAAAAA/qr.svg').expect(404);
    expect(missing.body.code).toBe('qr_not_found');
  });

  it('serves a landing page at /q/:id that carries no secret', async () => {
    const { session } = await createQrSession(app);
    const page = await app.http().get(`/q/${session.id}`).expect(200);
    expect(page.headers['content-type']).toMatch(/^text\/html/);
    expect(page.text).toContain('Scan this code with the QR login app');
    expect(page.text).not.toContain(session.secret);
    expect(page.text).not.toContain(session.id);
    // A browser that follows a damaged link gets a page; an API client still gets the contract's error body.
    const bad = await app.http().get('/q/%3Cscript%3E').set('Accept', 'text/html,*/*;q=0.8').expect(400);
    expect(bad.headers['content-type']).toMatch(/^text\/html/);
    expect(bad.text).toContain('This link is not a sign-in code');
    expect(bad.text).not.toContain('<script>');
    const json = await app.http().get('/q/%3Cscript%3E').expect(400);
    expect(json.body).toEqual({ statusCode: 400, code: 'validation_failed', message: expect.any(String) });
  });

  it('records every event of a session in its audit trail', async () => {
    const phone = await signUpAndLogin(app);
    const { session } = await createQrSession(app, { userAgent: 'AuditBrowser/1' });
    const { scanTicket } = await scan(app, phone, session.id);
    await app.http().post(`/api/qr-sessions/${session.id}/confirm`).set(phone.headers).send({ scanTicket }).expect(200);
    const rows: Array<{ type: string; ip: string; user_agent: string; account_id: string | null; client_device_id: string }> =
      await app.dataSource.query(
        `SELECT type, host(ip) AS ip, user_agent, account_id, client_device_id
           FROM qr_session_events WHERE qr_session_id = $1 ORDER BY id`,
        [session.id],
      );
    expect(rows.map((row) => row.type)).toEqual(['created', 'scanned', 'confirmed']);
    expect(rows[0]).toMatchObject({ ip: '127.0.0.1', user_agent: 'AuditBrowser/1', account_id: null });
    expect(rows[1]).toMatchObject({ account_id: phone.login.account.id, client_device_id: phone.deviceId });
    expect(rows[2]).toMatchObject({ account_id: phone.login.account.id, client_device_id: phone.deviceId });
  });
});
