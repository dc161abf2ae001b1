import { io, type Socket } from 'socket.io-client';
import { ACCOUNT_NAMESPACE, type AccountServerToClientEvents, type SignInAlert } from '@app/contract';
import { createQrSession, loginAs, scan, signUpAndLogin, type SignedInDevice } from './support/factories';
import { EVENT_PATHS, startTestApp, type TestApp } from './support/test-app';

/** Threat 7: the account's other devices learn of every new sign-in, by password or by QR. */
describe.each(EVENT_PATHS)('sign-in alerts (%s)', (_, aloneOnDatabase) => {
  let app: TestApp;
  const sockets: Socket[] = [];

  beforeAll(async () => {
    app = await startTestApp({}, undefined, { aloneOnDatabase });
  });
  afterEach(() => sockets.splice(0).forEach((socket) => socket.close()));
  afterAll(() => app.close());

  async function listen(device: {
    login: { accessToken: string };
    deviceId: string;
  }): Promise<{ alerts: SignInAlert[]; next(): Promise<SignInAlert> }> {
    const socket: Socket<AccountServerToClientEvents> = io(`${app.url}${ACCOUNT_NAMESPACE}`, {
      auth: { accessToken: device.login.accessToken, deviceId: device.deviceId },
      transports: ['websocket'],
      reconnection: false,
      forceNew: true,
    });
    sockets.push(socket);
    await new Promise<void>((resolve, reject) => {
      socket.once('connect', resolve);
      socket.once('connect_error', reject);
    });
    const alerts: SignInAlert[] = [];
    const waiting: Array<(alert: SignInAlert) => void> = [];
    socket.on('sign_in', (alert) => {
      alerts.push(alert);
      waiting.shift()?.(alert);
    });
    return { alerts, next: () => new Promise((resolve) => waiting.push(resolve)) };
  }

  it('tells a signed-in phone when the account signs in on another device with a password', async () => {
    const phone = await signUpAndLogin(app);
    const watcher = await listen(phone);
    const alert = watcher.next();
    const tablet: SignedInDevice = await loginAs(app, phone.username, phone.password, 'android');
    expect(await alert).toEqual({
      method: 'password',
      at: expect.any(String),
      device: { id: tablet.deviceId, type: 'android', name: 'android test device' },
      ip: '127.0.0.1',
      userAgent: null,
    });
  });

  it('tells every device of the account when a desktop is signed in by QR, naming the desktop and the approving phone', async () => {
    const phone = await signUpAndLogin(app);
    const tablet = await loginAs(app, phone.username, phone.password, 'android');
    const stranger = await signUpAndLogin(app);
    const [onPhone, onTablet, onStranger] = await Promise.all([listen(phone), listen(tablet), listen(stranger)]);
    const heardByTablet = onTablet.next();
    const heardByPhone = onPhone.next();
    const { session, deviceId } = await createQrSession(app, { userAgent: 'Relay/1.0' });
    const { scanTicket } = await scan(app, phone, session.id);
    await app.http().post(`/api/qr-sessions/${session.id}/confirm`).set(phone.headers).send({ scanTicket }).expect(200);
    const expected = {
      method: 'qr',
      at: expect.any(String),
      device: { id: deviceId, type: 'web', name: 'Test browser' },
      ip: '127.0.0.1',
      userAgent: 'Relay/1.0',
      approvedBy: phone.deviceId,
    };
    expect(await heardByTablet).toEqual(expected);
    expect(await heardByPhone).toEqual(expected);
    // Another account's sign-in, heard by the stranger, proves the stranger's socket was listening all along.
    const heardByStranger = onStranger.next();
    const strangersTablet = await loginAs(app, stranger.username, stranger.password, 'android');
    expect((await heardByStranger).device.id).toBe(strangersTablet.deviceId);
    expect(onStranger.alerts).toHaveLength(1);
  });

  it('refuses a socket without a valid, standing token', async () => {
    const phone = await signUpAndLogin(app);
    const refuse = (auth: Record<string, unknown>) =>
      new Promise((resolve, reject) => {
        const socket = io(`${app.url}${ACCOUNT_NAMESPACE}`, { auth, transports: ['websocket'], reconnection: false, forceNew: true });
        sockets.push(socket);
        socket.once('connect', () => resolve('connected'));
        socket.once('connect_error', (error) => reject(error));
      });
    await expect(refuse({})).rejects.toMatchObject({
      message: 'unauthorized',
      data: { code: 'unauthorized', message: 'Send auth: {accessToken, deviceId} with the handshake.' },
    });
    await expect(refuse({ accessToken: phone.login.accessToken, deviceId: 'another-device-id' })).rejects.toMatchObject({
      message: 'device_mismatch',
    });
    await app.http().post('/api/auth/logout').set(phone.headers).expect(204);
    await expect(refuse({ accessToken: phone.login.accessToken, deviceId: phone.deviceId })).rejects.toMatchObject({
      message: 'token_revoked',
    });
  });
});
