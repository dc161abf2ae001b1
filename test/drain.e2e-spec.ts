import { Drain } from '@app/lifecycle';
import { DesktopSocket } from './support/desktop-socket';
import { createQrSession } from './support/factories';
import { heldLongPolls, startTestApp, type TestApp } from './support/test-app';

/**
 * Draining as contract §7 describes it, from the moment it begins (the bootstrap begins it on SIGTERM/SIGINT; the
 * signal itself is tested on a real process in service-process.e2e-spec.ts): readiness 503 at once, new sockets and
 * long-polls refused, held long-polls answered with the current snapshot, sockets closed so that clients reconnect.
 */
describe('draining', () => {
  let app: TestApp;

  beforeAll(async () => {
    app = await startTestApp();
  });
  afterAll(async () => app?.close());

  it('answers live and ready with 200 while serving', async () => {
    expect((await app.http().get('/api/health/live').expect(200)).body).toEqual({ status: 'ok' });
    expect((await app.http().get('/api/health/ready').expect(200)).body).toEqual({ status: 'ok', database: 'up', events: 'up' });
  });

  it('turns readiness to 503, answers held long-polls, closes sockets and refuses new ones', async () => {
    const watched = await createQrSession(app);
    const polled = await createQrSession(app);
    const desktop = await DesktopSocket.connect(app.url, { qrId: watched.session.id, secret: watched.session.secret });
    await desktop.next('status');
    const disconnected = new Promise<string>((resolve) => desktop.socket.once('disconnect', (reason) => resolve(reason)));
    const held = app
      .http()
      .get(`/api/qr-sessions/${polled.session.id}?since=pending&wait=30`)
      .set('X-QR-Secret', polled.session.secret)
      .then((response) => response);
    await heldLongPolls(app, 1);

    app.app.get(Drain).begin();

    // The held long-poll is answered now with the snapshot it has, not after its 30 s.
    const answered = await held;
    expect({ status: answered.status, snapshot: answered.body.status }).toEqual({ status: 200, snapshot: 'pending' });
    // The socket's connection is closed under it: a transport close, after which socket.io-client reconnects by itself.
    expect(await disconnected).toBe('transport close');

    const ready = await app.http().get('/api/health/ready');
    expect({ status: ready.status, body: ready.body }).toEqual({
      status: 503,
      body: { statusCode: 503, code: 'service_unavailable', message: expect.any(String) },
    });
    expect((await app.http().get('/api/health').expect(503)).body.code).toBe('service_unavailable');
    expect((await app.http().get('/api/health/live').expect(200)).body).toEqual({ status: 'ok' });

    const longPoll = await app.http().get(`/api/qr-sessions/${polled.session.id}?since=pending&wait=30`).set('X-QR-Secret', polled.session.secret);
    expect({ status: longPoll.status, code: longPoll.body.code, retryAfter: longPoll.headers['retry-after'] }).toEqual({
      status: 503,
      code: 'service_unavailable',
      retryAfter: '1',
    });
    // A read without wait is still answered: only what would hold the process open is refused.
    await app.http().get(`/api/qr-sessions/${polled.session.id}`).set('X-QR-Secret', polled.session.secret).expect(200);

    await expect(DesktopSocket.connect(app.url, { qrId: watched.session.id, secret: watched.session.secret })).rejects.toThrow('service_unavailable');
    desktop.close();
  });
});
