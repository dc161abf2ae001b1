import { RATE_LIMIT_POLICIES } from '@app/rate-limits';
import { DesktopSocket } from './support/desktop-socket';
import { createQrSession } from './support/factories';
import { startTestApp, type TestApp } from './support/test-app';

/** Brute force and flooding answer 429 rate_limited with Retry-After (threat 8). Each test uses its own policy. */
describe('rate limits', () => {
  let app: TestApp;

  beforeAll(async () => {
    app = await startTestApp({ RATE_LIMITS: 'on' });
  });
  afterAll(() => app.close());

  it('limits sign-in attempts from one address, with Retry-After', async () => {
    const statuses: number[] = [];
    for (let i = 0; i < RATE_LIMIT_POLICIES.login.limit + 1; i++) {
      // Each to another account, so that only the per-address flood limit can answer 429 (the lockout counts per account).
      const response = await app
        .http()
        .post('/api/auth/login')
        .send({ username: `nobody-${i}`, password: 'guess-xxx', device: { id: 'guessing-device', type: 'ios' } });
      statuses.push(response.status);
      if (response.status === 429) {
        expect(response.body).toEqual({ statusCode: 429, code: 'rate_limited', message: expect.any(String) });
        const retryAfter = Number(response.headers['retry-after']);
        expect(retryAfter).toBeGreaterThanOrEqual(1);
        expect(retryAfter).toBeLessThanOrEqual(RATE_LIMIT_POLICIES.login.windowSeconds);
      }
    }
    expect(statuses.filter((status) => status === 401)).toHaveLength(RATE_LIMIT_POLICIES.login.limit);
    expect(statuses.at(-1)).toBe(429);
  });

  it('limits mass QR creation from one address', async () => {
    const statuses: number[] = [];
    for (let i = 0; i < RATE_LIMIT_POLICIES.createQr.limit + 1; i++) {
      const response = await app
        .http()
        .post('/api/qr-sessions?image=none')
        .send({ device: { id: `flood-desk-${i}`, type: 'pc' } });
      statuses.push(response.status);
    }
    expect(statuses.filter((status) => status === 201)).toHaveLength(RATE_LIMIT_POLICIES.createQr.limit);
    expect(statuses.at(-1)).toBe(429);
  });

  it('limits socket handshakes from one address, refusing with rate_limited', async () => {
    const { session } = await createQrSessionBypassingLimit();
    let refused: Error | undefined;
    for (let i = 0; i < RATE_LIMIT_POLICIES.socketHandshake.limit + 1 && !refused; i++) {
      try {
        (await DesktopSocket.connect(app.url, { qrId: session.id, secret: 'wrong-secret-guess' })).close();
      } catch (error) {
        if ((error as Error).message === 'rate_limited') refused = error as Error;
        else expect((error as Error).message).toBe('qr_secret_invalid');
      }
    }
    expect(refused?.message).toBe('rate_limited');
  });

  /** The QR-creation budget of 127.0.0.1 was spent above: reset that counter to get one more session. */
  async function createQrSessionBypassingLimit() {
    await app.dataSource.query(`DELETE FROM rate_limit_counters WHERE key LIKE 'createQr:%'`);
    return createQrSession(app);
  }
});
