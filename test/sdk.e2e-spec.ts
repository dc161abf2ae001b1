import type { CreatedQrSession } from '@app/contract';
import { QrDesktopClient, QrMobileClient, type FetchLike, type QrTransportMode, type QrWatch } from '@app/sdk';
import { WatchRecorder } from '../libs/sdk/src/testing/watch-recorder';
import { uniqueName } from './support/factories';
import { startTestApp, type TestApp } from './support/test-app';

const PASSWORD = 'correct horse battery';

/** The SDK playing both the desktop and the phone, against the real server, over each transport. */
describe('SDK, end to end', () => {
  let app: TestApp;
  const watches: QrWatch[] = [];

  beforeAll(async () => {
    app = await startTestApp();
  });
  afterEach(() => watches.splice(0).forEach((watch) => watch.stop()));
  afterAll(() => app.close());

  async function signedInPhone(displayName = 'SDK Phone'): Promise<QrMobileClient> {
    const phone = new QrMobileClient({ baseUrl: app.url });
    const username = uniqueName('sdk');
    await phone.createAccount({ username, password: PASSWORD, displayName });
    await phone.login(username, PASSWORD, { id: uniqueName('phone'), type: 'android', name: 'Pixel' });
    return phone;
  }

  function desktopClient(options: { socketPath?: string; fetch?: FetchLike } = {}): QrDesktopClient {
    return new QrDesktopClient({ baseUrl: app.url, headers: { 'User-Agent': 'SdkDesktop/1.0' }, ...options });
  }

  function watch(desktop: QrDesktopClient, session: CreatedQrSession, transport: QrTransportMode, recorder: WatchRecorder): QrWatch {
    const handle = desktop.watch(session, { ...recorder.callbacks, transport, connectTimeoutMs: 5000 });
    watches.push(handle);
    return handle;
  }

  it.each([
    ['websocket', 'websocket'],
    ['longpoll', 'longpoll'],
    ['auto', 'websocket'],
  ] as const)('signs a desktop in, transport %s (events over %s)', async (mode, expected) => {
    const phone = await signedInPhone('Alice SDK');
    const desktop = desktopClient();
    const desktopId = uniqueName('desk');
    const session = await desktop.createSession({ id: desktopId, type: 'web', name: 'SDK browser' }, { image: 'none' });
    expect(session).toMatchObject({ status: 'pending', qrContent: expect.stringMatching(/\/q\//) });
    expect(session.qrImage).toBeUndefined();

    const recorder = new WatchRecorder();
    const handle = watch(desktop, session, mode, recorder);
    await recorder.until(1);
    expect(handle.transport).toBe(expected);

    // The phone reads the QR's content, as a camera would.
    const scan = await phone.scan(session.qrContent);
    expect(scan).toMatchObject({
      id: session.id,
      status: 'scanned',
      requester: { device: { type: 'web', name: 'SDK browser' }, ip: '127.0.0.1', userAgent: 'SdkDesktop/1.0' },
    });
    await recorder.until(2);
    await phone.confirm(session.id, scan.scanTicket);

    const outcome = await handle.done;
    expect(recorder.types()).toEqual(['status', 'scanned', 'confirmed']);
    expect(recorder.events.map((event) => event.transport)).toEqual([expected, expected, expected]);
    expect(recorder.events[1].snapshot.scannedBy).toEqual({ displayName: 'Alice SDK', username: expect.stringMatching(/^sdk-/) });
    if (outcome.reason !== 'completed') throw new Error(`the watch ended with ${JSON.stringify(outcome)}`);
    const login = outcome.snapshot.login!;
    expect(login).toMatchObject({ tokenType: 'Bearer', device: { id: desktopId, type: 'web' } });

    const signedInDesktop = new QrMobileClient({ baseUrl: app.url, credentials: { accessToken: login.accessToken, deviceId: desktopId } });
    expect(await signedInDesktop.me()).toEqual({ account: login.account, device: { id: desktopId, type: 'web', name: 'SDK browser' } });
    expect((await phone.devices()).map((device) => [device.type, device.current])).toEqual(
      expect.arrayContaining([
        ['android', true],
        ['web', false],
      ]),
    );
  });

  it('auto falls back to long-poll when the WebSocket cannot connect, and still signs the desktop in', async () => {
    const phone = await signedInPhone();
    // Nothing serves socket.io there: the WebSocket upgrade fails as it would behind a proxy that drops it.
    const desktop = desktopClient({ socketPath: '/no-socket-io-here' });
    const session = await desktop.createSession({ id: uniqueName('desk'), type: 'pc' });
    const recorder = new WatchRecorder();
    const handle = watch(desktop, session, 'auto', recorder);
    await recorder.until(1);
    expect(handle.transport).toBe('longpoll');
    expect(recorder.transports).toEqual([{ transport: 'longpoll', reason: expect.stringContaining('could not connect') }]);

    const { scanTicket } = await phone.scan(session.id);
    await recorder.until(2);
    await phone.confirm(session.id, scanTicket);
    expect(await handle.done).toMatchObject({ reason: 'completed', snapshot: { status: 'confirmed', login: { tokenType: 'Bearer' } } });
    expect(recorder.types()).toEqual(['status', 'scanned', 'confirmed']);
    expect(recorder.events.every((event) => event.transport === 'longpoll')).toBe(true);
  });

  it.each([
    ['a wrong secret', 'qr_secret_invalid', 403],
    ['an unknown session', 'qr_not_found', 404],
  ] as const)('reports %s refused at the handshake, without falling back to long-poll', async (_, code, statusCode) => {
    const requests: string[] = [];
    const fetch: FetchLike = (url, init) => {
      requests.push(`${init.method} ${new URL(url).pathname}`);
      return globalThis.fetch(url, init);
    };
    const desktop = desktopClient({ fetch });
    const session = await desktop.createSession({ id: uniqueName('desk'), type: 'pc' }, { image: 'none' });
    const key = code === 'qr_not_found' ? { id: 'AAAAAAAAAAAAAAAAAAAAAA', secret: session.secret } : { id: session.id, secret: 'x'.repeat(43) };
    const recorder = new WatchRecorder();
    const handle = desktop.watch(key, { ...recorder.callbacks, transport: 'auto' });
    watches.push(handle);
    const outcome = await handle.done;
    expect(outcome).toMatchObject({ reason: 'failed', error: { code, statusCode } });
    expect(recorder.errors.map((error) => error.code)).toEqual([code]);
    expect(requests).toEqual(['POST /api/qr-sessions']);
  });

  it('cancel ends the watch of the desktop with cancelled', async () => {
    const desktop = desktopClient();
    const session = await desktop.createSession({ id: uniqueName('desk'), type: 'web' });
    expect(session.qrImage).toMatch(/^data:image\/svg\+xml;base64,/);
    const recorder = new WatchRecorder();
    const handle = watch(desktop, session, 'websocket', recorder);
    await recorder.until(1);
    expect(await desktop.cancel(session)).toMatchObject({ id: session.id, status: 'cancelled' });
    expect(await handle.done).toMatchObject({ reason: 'completed', snapshot: { status: 'cancelled' } });
    expect(recorder.types()).toEqual(['status', 'cancelled']);
  });

  it('long-polls with getSession as the contract says: at once when the status differs, else when it changes', async () => {
    const phone = await signedInPhone();
    const desktop = desktopClient();
    const session = await desktop.createSession({ id: uniqueName('desk'), type: 'pc' }, { image: 'none' });
    expect(await desktop.getSession(session, { since: 'scanned', wait: 20 })).toMatchObject({ status: 'pending' });
    const waiting = desktop.getSession(session, { since: 'pending', wait: 20 });
    await phone.scan(session.id);
    expect(await waiting).toMatchObject({ status: 'scanned', scannedBy: { displayName: 'SDK Phone' } });
  });

  it('reports the contract codes of refused phone calls, and network_error when there is no server', async () => {
    const phone = await signedInPhone();
    const desktop = desktopClient();
    const session = await desktop.createSession({ id: uniqueName('desk'), type: 'pc' }, { image: 'none' });
    await expect(phone.confirm(session.id, 'x'.repeat(43))).rejects.toMatchObject({ code: 'qr_not_scanned', statusCode: 409 });
    await phone.scan(session.id);
    await expect(phone.confirm(session.id, 'x'.repeat(43))).rejects.toMatchObject({ code: 'scan_ticket_invalid', statusCode: 403 });
    await expect(phone.scan('AAAAAAAAAAAAAAAAAAAAAA')).rejects.toMatchObject({ code: 'qr_not_found', statusCode: 404 });
    await expect(
      new QrMobileClient({ baseUrl: app.url }).login('nobody-here', PASSWORD, { id: uniqueName('phone'), type: 'ios' }),
    ).rejects.toMatchObject({
      code: 'invalid_credentials',
      statusCode: 401,
    });

    await phone.logout();
    expect(phone.credentials).toBeUndefined();

    // A port nothing listens on: the same error type, a client-side code.
    const offline = new QrMobileClient({ baseUrl: 'http://127.0.0.1:1' });
    await expect(offline.createAccount({ username: uniqueName('x'), password: PASSWORD })).rejects.toMatchObject({
      code: 'network_error',
      statusCode: 0,
    });
  });

  it('signs a device out: its token stops working', async () => {
    const phone = await signedInPhone();
    const desktop = desktopClient();
    const desktopId = uniqueName('desk');
    const session = await desktop.createSession({ id: desktopId, type: 'pc' }, { image: 'none' });
    const { scanTicket } = await phone.scan(session.id);
    await phone.confirm(session.id, scanTicket);
    const login = (await desktop.getSession(session)).login!;
    const signedInDesktop = new QrMobileClient({ baseUrl: app.url, credentials: { accessToken: login.accessToken, deviceId: desktopId } });
    await signedInDesktop.me();

    await phone.signOutDevice(desktopId);
    await expect(signedInDesktop.me()).rejects.toMatchObject({ code: 'token_revoked' });
    expect((await phone.devices()).map((device) => device.id)).not.toContain(desktopId);
  });

  describe('renewal', () => {
    let shortLived: TestApp;

    beforeAll(async () => {
      shortLived = await startTestApp({ QR_TTL_SECONDS: '1', EXPIRY_SWEEP_SECONDS: '1' });
    });
    afterAll(() => shortLived.close());

    it('keepFresh shows a new session when the first one expires on the server', async () => {
      const desktop = new QrDesktopClient({ baseUrl: shortLived.url });
      const shown: CreatedQrSession[] = [];
      const events: string[] = [];
      let secondShown!: () => void;
      const second = new Promise<void>((resolve) => (secondShown = resolve));
      const fresh = desktop.keepFresh({
        device: { id: uniqueName('desk'), type: 'web' },
        image: 'none',
        onSession: (session) => {
          shown.push(session);
          if (shown.length === 2) secondShown();
        },
        onEvent: (event, session) => events.push(`${shown.indexOf(session)}:${event.type}:${event.transport}`),
      });
      try {
        await second;
        expect(shown[1].id).not.toBe(shown[0].id);
        expect(events).toEqual(['0:status:websocket', '0:expired:websocket']);
        expect(fresh.session).toBe(shown[1]);
      } finally {
        fresh.stop();
      }
      expect(await fresh.done).toEqual({ reason: 'stopped' });
    });
  });
});
