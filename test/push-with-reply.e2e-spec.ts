import type { Socket } from 'node:net';
import { DesktopSocket } from './support/desktop-socket';
import { createQrSession, scan, signUpAndLogin, type SignedInDevice } from './support/factories';
import { EVENT_PATHS, heldLongPolls, startTestApp, type TestApp } from './support/test-app';

/**
 * Issue 7: the desktop's push rides with the reply to the phone. The process that commits a change delivers it to its
 * own sockets and long-polls at once, not after the round trip of its NOTIFY through PostgreSQL, so the server writes
 * the `confirmed` event (with the token) before it writes the confirm's HTTP response. Observed on the server's own
 * sockets: the order of what it writes is the order it hands bytes to the kernel.
 */
describe.each(EVENT_PATHS)('the push is written before the reply that caused it (%s)', (_, aloneOnDatabase) => {
  let app: TestApp;
  let phone: SignedInDevice;
  const writes: string[] = [];
  const sockets: DesktopSocket[] = [];

  beforeAll(async () => {
    app = await startTestApp({}, undefined, { aloneOnDatabase });
    app.app.getHttpServer().on('connection', (socket: Socket) => {
      const write = socket.write.bind(socket) as (...args: unknown[]) => boolean;
      (socket as unknown as { write: (...args: unknown[]) => boolean }).write = (...args: unknown[]) => {
        const chunk = args[0];
        writes.push(Buffer.isBuffer(chunk) ? chunk.toString('latin1') : String(chunk));
        return write(...args);
      };
    });
    phone = await signUpAndLogin(app);
  });
  afterEach(() => sockets.splice(0).forEach((socket) => socket.close()));
  afterAll(() => app.close());

  /** Index of the first server write that matches. */
  const firstWrite = (pattern: RegExp) => writes.findIndex((chunk) => pattern.test(chunk));

  it('over Socket.IO: the confirmed event, token included, before the confirm response', async () => {
    const { session } = await createQrSession(app);
    const desktop = await DesktopSocket.connect(app.url, { qrId: session.id, secret: session.secret });
    sockets.push(desktop);
    await desktop.next('status');
    const { scanTicket } = await scan(app, phone, session.id);
    await desktop.next('scanned');
    writes.length = 0;
    await app.http().post(`/api/qr-sessions/${session.id}/confirm`).set(phone.headers).send({ scanTicket }).expect(200);
    expect((await desktop.next('confirmed')).login?.accessToken).toEqual(expect.any(String));
    const pushed = firstWrite(/\["confirmed",\{.*"accessToken"/);
    const replied = firstWrite(/"status":"confirmed"\}$/);
    expect(pushed).toBeGreaterThanOrEqual(0);
    expect(replied).toBeGreaterThan(pushed);
  });

  it('over long-poll: the held request is answered with the token before the confirm response', async () => {
    const { session } = await createQrSession(app);
    const { scanTicket } = await scan(app, phone, session.id);
    const held = app
      .http()
      .get(`/api/qr-sessions/${session.id}?since=scanned&wait=10`)
      .set('X-QR-Secret', session.secret)
      .then((r) => r);
    await heldLongPolls(app, 1);
    writes.length = 0;
    await app.http().post(`/api/qr-sessions/${session.id}/confirm`).set(phone.headers).send({ scanTicket }).expect(200);
    expect((await held).body.login?.accessToken).toEqual(expect.any(String));
    const answered = firstWrite(/"status":"confirmed".*"login":\{"accessToken"/);
    const replied = firstWrite(/\{"id":"[^"]+","status":"confirmed"\}$/);
    expect(answered).toBeGreaterThanOrEqual(0);
    expect(replied).toBeGreaterThan(answered);
  });
});
