import { request as httpRequest } from 'node:http';
import { RATE_LIMIT_POLICIES } from '@app/rate-limits';
import { authorizeDevice } from './support/device-grant';
import { signUpAndLogin, type SignedInDevice } from './support/factories';
import { startTestApp, type TestApp } from './support/test-app';

interface Answer {
  status: number;
  headers: Record<string, string | string[] | undefined>;
  body: { code?: string; error?: string };
}

/**
 * Guessing user codes (threat 8). A code has ~34 bits and lives QR_TTL_SECONDS; what makes guessing hopeless is that
 * scan-code is limited per address and per account, and past a limit even the right code is refused.
 */
describe('device grant: brute-forcing user codes', () => {
  const policy = RATE_LIMIT_POLICIES.scanCode;
  let app: TestApp;
  let port: number;

  beforeAll(async () => {
    app = await startTestApp({ RATE_LIMITS: 'on' });
    port = Number(new URL(app.url).port);
  });
  afterAll(() => app.close());

  /** A request from a given source address (any of 127.0.0.0/8), so that per-address limits can be told apart. */
  function post(from: string, path: string, headers: Record<string, string>, body: string, type = 'application/json'): Promise<Answer> {
    return new Promise((resolve, reject) => {
      const request = httpRequest(
        { host: '127.0.0.1', port, path, method: 'POST', localAddress: from, headers: { ...headers, 'Content-Type': type } },
        (response) => {
          let text = '';
          response.setEncoding('utf8');
          response.on('data', (chunk: string) => (text += chunk));
          response.on('end', () => resolve({ status: response.statusCode ?? 0, headers: response.headers, body: JSON.parse(text) }));
        },
      );
      request.once('error', reject);
      request.end(body);
    });
  }

  function scanCode(from: string, phone: SignedInDevice, userCode: string): Promise<Answer> {
    return post(from, '/api/qr-sessions/scan-code', phone.headers, JSON.stringify({ userCode }));
  }

  /** A code that is not the live one (a guess that misses). */
  function wrongGuess(i: number): string {
    const letters = 'BCDFGHJKLMNPQRSTVWXZ';
    return `ZZZZ-${letters[i % 20]}${letters[Math.floor(i / 20) % 20]}ZZ`;
  }

  function expectRateLimited(answer: Answer): void {
    expect(answer.status).toBe(429);
    expect(answer.body.code).toBe('rate_limited');
    expect(Number(answer.headers['retry-after'])).toBeGreaterThan(0);
  }

  it('stops one account guessing from many addresses, and then refuses even the right code', async () => {
    const guesser = await signUpAndLogin(app);
    const grant = await authorizeDevice(app);
    for (let i = 0; i < policy.perAccount.limit; i++) {
      const answer = await scanCode(`127.0.1.${i + 1}`, guesser, wrongGuess(i));
      expect([answer.status, answer.body.code]).toEqual([404, 'qr_not_found']);
    }
    expectRateLimited(await scanCode('127.0.1.200', guesser, grant.user_code));
    // Operators see it on the same metric as every other refusal of the policy.
    const metrics = await fetch(`${app.url}/metrics`).then((response) => response.text());
    expect(metrics).toMatch(/^rate_limited_total\{policy="scanCode"\} 1$/m);
    // The limit is this account's: another account, from the same fresh address, still gets through.
    const honest = await signUpAndLogin(app);
    const answer = await scanCode('127.0.1.200', honest, grant.user_code);
    expect(answer.status).toBe(200);
  });

  it('stops many accounts guessing from one address', async () => {
    const accounts = await Promise.all(Array.from({ length: Math.ceil(policy.limit / policy.perAccount.limit) + 1 }, () => signUpAndLogin(app)));
    let sent = 0;
    for (const account of accounts) {
      for (let i = 0; i < policy.perAccount.limit && sent < policy.limit; i++, sent++) {
        expect((await scanCode('127.0.2.1', account, wrongGuess(sent))).status).toBe(404);
      }
    }
    const fresh = accounts[accounts.length - 1];
    expectRateLimited(await scanCode('127.0.2.1', fresh, wrongGuess(sent)));
    // The same account from another address is not limited: the address was.
    expect((await scanCode('127.0.2.2', fresh, wrongGuess(sent))).status).toBe(404);
  });

  it('limits device authorization requests per address like QR sessions, in the OAuth format', async () => {
    const { limit } = RATE_LIMIT_POLICIES.createQr;
    for (let i = 0; i < limit; i++) {
      expect((await post('127.0.3.1', '/oauth/device_authorization', {}, 'client_id=flood', 'application/x-www-form-urlencoded')).status).toBe(200);
    }
    const refused = await post('127.0.3.1', '/oauth/device_authorization', {}, 'client_id=flood', 'application/x-www-form-urlencoded');
    expect(refused.status).toBe(429);
    expect(refused.body).toEqual({ error: 'rate_limited', error_description: expect.any(String) });
    expect(Number(refused.headers['retry-after'])).toBeGreaterThan(0);
    expect(refused.headers['cache-control']).toBe('no-store');
  });

  it('answers a token-endpoint flood with slow_down and Retry-After, which every device-grant client obeys', async () => {
    const grant = await authorizeDevice(app);
    const { limit } = RATE_LIMIT_POLICIES.watchQr;
    const form = `grant_type=${encodeURIComponent('urn:ietf:params:oauth:grant-type:device_code')}&device_code=${grant.device_code}&client_id=test-cli`;
    const answers: Answer[] = [];
    for (let i = 0; i <= limit; i++) answers.push(await post('127.0.4.1', '/oauth/token', {}, form, 'application/x-www-form-urlencoded'));
    // Within the limit the grant's own pace speaks (pending, then slow_down: these polls come far too fast).
    expect(answers.slice(0, limit).every((answer) => answer.status === 400)).toBe(true);
    const refused = answers[limit];
    expect(refused.status).toBe(429);
    expect(refused.body).toEqual({ error: 'slow_down', error_description: expect.any(String) });
    expect(Number(refused.headers['retry-after'])).toBeGreaterThan(0);
  });
});
