import { connect, type Socket } from 'node:net';
import { CONNECTIONS_CHECKING_INTERVAL_MS, HEADERS_TIMEOUT_MS } from '../../apps/api/src/create-app';
import { CONNECTIONS_PER_ADDRESS } from '@app/rate-limits';
import { requestFrom } from '../support/from-address';
import { startTestApp, type TestApp } from '../support/test-app';

/**
 * Idle connections as a denial of service: one client opening connections and sending nothing held a descriptor per
 * connection for about a minute, and enough of them took every descriptor of the process (a security review did it
 * with 20,000 from one address: nobody else could connect).
 */
describe('connections a client may hold', () => {
  let app: TestApp;
  let port: number;
  const opened: Socket[] = [];

  beforeAll(async () => {
    app = await startTestApp({ RATE_LIMITS: 'on' });
    port = Number(new URL(app.url).port);
  });
  afterEach(() => opened.splice(0).forEach((socket) => socket.destroy()));
  afterAll(() => app.close());

  /** A TCP connection from `localAddress` that sends nothing; resolves once it is open. */
  function openIdle(localAddress: string): Promise<Socket> {
    return new Promise((resolve, reject) => {
      const socket = connect({ host: '127.0.0.1', port, localAddress }, () => resolve(socket));
      socket.once('error', reject);
      opened.push(socket);
    });
  }

  const closed = (socket: Socket) => new Promise<void>((resolve) => (socket.destroyed ? resolve() : socket.once('close', () => resolve())));

  it(`closes a connection past ${CONNECTIONS_PER_ADDRESS} from one address at once, and serves other addresses`, async () => {
    const held = [];
    for (let i = 0; i < CONNECTIONS_PER_ADDRESS; i++) held.push(await openIdle('127.0.6.1'));
    const extra = await openIdle('127.0.6.1');
    // At once: well before any timeout of the server's could have closed it.
    await Promise.race([
      closed(extra),
      new Promise((_, reject) => setTimeout(() => reject(new Error('the connection past the cap was not closed within 2 s')), 2000).unref()),
    ]);
    expect(held.every((socket) => !socket.destroyed)).toBe(true);
    // Another client is served as ever.
    expect((await requestFrom('127.0.6.2', app.url, 'GET', '/api/health/live')).status).toBe(200);
    // Once the first client lets one go, it may open another.
    held[0].destroy();
    await closed(held[0]);
    // The server hears of the close in its own time: the next connection from that address is served once it has.
    const deadline = Date.now() + 2000;
    let status = 0;
    while (status !== 200 && Date.now() < deadline) {
      status = await requestFrom('127.0.6.1', app.url, 'GET', '/api/health/live').then(
        (response) => response.status,
        () => 0,
      );
    }
    expect(status).toBe(200);
  });

  it('closes a connection that sends no request within the headers timeout, not a minute later', async () => {
    const socket = await openIdle('127.0.6.3');
    let answer = '';
    socket.on('data', (chunk: Buffer) => (answer += chunk.toString()));
    const started = Date.now();
    await closed(socket);
    const elapsed = Date.now() - started;
    expect(elapsed).toBeGreaterThanOrEqual(HEADERS_TIMEOUT_MS - 100);
    expect(elapsed).toBeLessThan(HEADERS_TIMEOUT_MS + 2 * CONNECTIONS_CHECKING_INTERVAL_MS + 1000);
    // Told why, in the contract's body.
    expect(answer).toContain('"code":"validation_failed"');
  }, 20_000);
});
