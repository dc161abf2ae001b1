import { Socket as EngineSocket } from 'engine.io-client';
import { Manager } from 'socket.io-client';
import { ACCOUNT_NAMESPACE, ADMIN_NAMESPACE, QR_NAMESPACE } from '@app/contract';
import { RATE_LIMIT_POLICIES, SOCKET_CAPS } from '@app/rate-limits';
import { createQrSession, signUpAndLogin } from '../support/factories';
import { connectSocket } from '../support/socket-client';
import { startTestApp, type TestApp } from '../support/test-app';

/** An Engine.IO connection that joins no namespace (what an idle-connection flood holds): resolves once it is open. */
function openBareConnection(url: string, localAddress: string): Promise<Manager> {
  const manager = new Manager(url, { transports: ['websocket'], reconnection: false, autoConnect: false, timeout: 5000, localAddress } as never);
  return new Promise((resolve, reject) => manager.open((error) => (error ? reject(error) : resolve(manager))));
}

function closed(manager: Manager): Promise<void> {
  return new Promise((resolve) => manager.once('close', () => resolve()));
}

/**
 * Issue 8 item 3: sockets were unlimited. Namespaces nobody serves (the root `/`) refuse everyone; every namespace's
 * handshakes count against the address's limit; an address and a token hold a bounded number of sockets; a connection
 * that never joins a namespace is closed. Each test speaks from its own 127.0.0.N address, so budgets do not mix.
 */
describe('socket limits', () => {
  let app: TestApp;

  beforeAll(async () => {
    app = await startTestApp({ RATE_LIMITS: 'on', SOCKET_HANDSHAKE_TIMEOUT_SECONDS: '1' });
  });
  afterAll(() => app.close());

  it('refuses the root namespace, which no gateway serves, and namespaces that do not exist', async () => {
    await expect(connectSocket(app.url, '/', { localAddress: '127.0.0.11' })).rejects.toMatchObject({ message: 'not_found' });
    await expect(connectSocket(app.url, '/nothing', { localAddress: '127.0.0.11' })).rejects.toMatchObject({ message: 'Invalid namespace' });
  });

  it.each([
    [ACCOUNT_NAMESPACE, '127.0.0.12'],
    [ADMIN_NAMESPACE, '127.0.0.13'],
  ])('limits token guessing over %s handshakes like over HTTP', async (namespace, localAddress) => {
    const codes = new Set<string>();
    for (let i = 0; i <= RATE_LIMIT_POLICIES.socketHandshake.limit; i++) {
      await connectSocket(app.url, namespace, { auth: { accessToken: `a.b.c${i}`, deviceId: 'guessing-device' }, localAddress }).then(
        (socket) => socket.close(),
        (error: Error) => codes.add(error.message),
      );
    }
    expect([...codes].sort()).toEqual(['rate_limited', 'unauthorized']);
  });

  it(`caps the sockets of one token at ${SOCKET_CAPS.perToken}`, async () => {
    const phone = await signUpAndLogin(app);
    const auth = { accessToken: phone.login.accessToken, deviceId: phone.deviceId };
    const sockets = [];
    try {
      for (let i = 0; i < SOCKET_CAPS.perToken; i++)
        sockets.push(await connectSocket(app.url, ACCOUNT_NAMESPACE, { auth, localAddress: '127.0.0.14' }));
      await expect(connectSocket(app.url, ACCOUNT_NAMESPACE, { auth, localAddress: '127.0.0.15' })).rejects.toMatchObject({
        message: 'rate_limited',
      });
      // Another token of the same account is not affected.
      const other = await signUpAndLogin(app, { username: phone.username, password: phone.password });
      sockets.push(
        await connectSocket(app.url, ACCOUNT_NAMESPACE, {
          auth: { accessToken: other.login.accessToken, deviceId: other.deviceId },
          localAddress: '127.0.0.15',
        }),
      );
    } finally {
      sockets.forEach((socket) => socket.close());
    }
  });

  it('closes a connection that never joins a namespace', async () => {
    const manager = await openBareConnection(app.url, '127.0.0.18');
    await closed(manager); // after SOCKET_HANDSHAKE_TIMEOUT_SECONDS (1 s here); Socket.IO's default was 45 s
  });
});

describe('socket limits: open connections per address', () => {
  let app: TestApp;

  beforeAll(async () => {
    // The default handshake timeout (10 s): connections that join nothing stay open while the test fills the cap.
    app = await startTestApp({ RATE_LIMITS: 'on' });
  });
  afterAll(() => app.close());

  it(`caps the open connections of one address at ${SOCKET_CAPS.perAddress}, also those that join no namespace`, async () => {
    const localAddress = '127.0.0.16';
    const { session } = await createQrSession(app);
    const held: Manager[] = [];
    try {
      let refused: Error | undefined;
      for (let i = 0; i <= SOCKET_CAPS.perAddress && !refused; i++) {
        await openBareConnection(app.url, localAddress).then(
          (manager) => held.push(manager),
          (error: Error) => (refused = error),
        );
      }
      expect(refused).toBeDefined();
      expect(held.length).toBe(SOCKET_CAPS.perAddress);
      // Another address is not affected.
      (await connectSocket(app.url, QR_NAMESPACE, { auth: { qrId: session.id, secret: session.secret }, localAddress: '127.0.0.17' })).close();
    } finally {
      held.forEach((manager) => manager.engine?.close());
    }
  });

  it(`caps the sockets one Engine.IO connection carries at ${SOCKET_CAPS.perConnection}, however many CONNECTs it sends together`, async () => {
    const { session } = await createQrSession(app);
    const sent = SOCKET_CAPS.perConnection + 4;
    // CONNECT packets of one namespace sent together on one connection: each passes the handshake before any is in.
    const engine = new EngineSocket(app.url, { path: '/socket.io/', transports: ['websocket'], localAddress: '127.0.0.19' } as never);
    try {
      await new Promise<void>((resolve, reject) => {
        engine.once('open', () => resolve());
        engine.once('error', reject);
      });
      let connected = 0;
      let disconnected = 0;
      let lastMessageAt = Date.now();
      engine.on('message', (data) => {
        const packet = String(data);
        if (packet.startsWith('0/qr,')) connected++;
        if (packet.startsWith('1/qr,')) disconnected++;
        lastMessageAt = Date.now();
      });
      for (let i = 0; i < sent; i++) engine.send(`0/qr,${JSON.stringify({ qrId: session.id, secret: session.secret })}`);
      // Until the server has been quiet a while (a CONNECT that came after the first was in is ignored by Socket.IO).
      const deadline = Date.now() + 5000;
      while (Date.now() - lastMessageAt < 300 && Date.now() < deadline) await new Promise((resolve) => setTimeout(resolve, 50));
      // More got in than the cap, and the server let go of all but the cap's worth.
      expect(connected).toBeGreaterThan(SOCKET_CAPS.perConnection);
      expect(connected - disconnected).toBe(SOCKET_CAPS.perConnection);
    } finally {
      engine.close();
    }
  });
});
