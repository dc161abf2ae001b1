import { LOGIN_LOCKOUT } from '@app/rate-limits';
import { uniqueName } from '../support/factories';
import { requestFrom } from '../support/from-address';
import { startTestApp, type TestApp } from '../support/test-app';

const PASSWORD = 'correct horse battery';
const OWNER = '127.0.0.21';

/**
 * Issue 8 item 4: ten wrong passwords from anywhere locked the owner out (429 for the right password from the owner's
 * own address). Failures are now counted, not attempts: per account and address with an exponential delay, and per
 * account with a looser ceiling that never holds up an address the owner signed in from, nor a new one for long.
 */
describe('login lockout', () => {
  let app: TestApp;

  beforeAll(async () => {
    app = await startTestApp({ RATE_LIMITS: 'on' });
  });
  afterAll(() => app.close());

  const login = (from: string, username: string, password: string) =>
    requestFrom(from, app.url, 'POST', '/api/auth/login', { username, password, device: { id: uniqueName('lockout-phone'), type: 'ios' } });

  async function register(): Promise<string> {
    const username = uniqueName('owner');
    const response = await requestFrom(OWNER, app.url, 'POST', '/api/accounts', { username, password: PASSWORD });
    expect(response.status).toBe(201);
    return username;
  }

  it('lets the owner in from their own address however many failures came from elsewhere', async () => {
    const username = await register();
    expect((await login(OWNER, username, PASSWORD)).status).toBe(200);
    // More failures than the per-account ceiling, from many addresses.
    const failures = LOGIN_LOCKOUT.accountCeiling + 5;
    for (let i = 0; i < failures; i++) {
      const response = await login(`127.0.1.${10 + (i % 60)}`, username, `guess number ${i}`);
      expect([401, 429]).toContain(response.status);
    }
    expect((await login(OWNER, username, PASSWORD)).status).toBe(200);
    // A new address is held up briefly at most: never longer than the per-account delay cap.
    const fresh = await login('127.0.2.1', username, PASSWORD);
    if (fresh.status === 429) expect(Number(fresh.headers['retry-after'])).toBeLessThanOrEqual(LOGIN_LOCKOUT.maxAccountDelaySeconds);
    else expect(fresh.status).toBe(200);
  });

  it("holds up a new address once the account's failures from everywhere pass its ceiling, briefly", async () => {
    const username = await register();
    expect((await login(OWNER, username, PASSWORD)).status).toBe(200);
    // One failure from each of many addresses: no address alone reaches its own free failures.
    for (let i = 0; i < LOGIN_LOCKOUT.accountCeiling; i++) {
      expect((await login(`127.0.3.${10 + (i % 60)}`, username, `guess number ${i}`)).status).toBe(401);
    }
    // Three failures past the ceiling, so that the delay (8 s) outlasts this test's own slowness.
    await app.dataSource.query(`UPDATE login_failure_counters SET failures = failures + 3, last_failed_at = now() WHERE key = $1`, [
      `account:${username}`,
    ]);
    const held = await login('127.0.3.200', username, PASSWORD);
    expect(held.status).toBe(429);
    expect(Number(held.headers['retry-after'])).toBeGreaterThanOrEqual(1);
    expect(Number(held.headers['retry-after'])).toBeLessThanOrEqual(8);
    // The address the owner signed in from is not held up by it.
    expect((await login(OWNER, username, PASSWORD)).status).toBe(200);
  });

  it('counts failures, not attempts: successes in between never add up to a lockout', async () => {
    const username = await register();
    const from = '127.0.0.24';
    for (const round of [1, 2, 3]) {
      for (let i = 0; i < LOGIN_LOCKOUT.freeFailures - 1; i++) expect((await login(from, username, `wrong ${round}.${i}`)).status).toBe(401);
      expect((await login(from, username, PASSWORD)).status).toBe(200);
    }
  });

  it('delays guessing from one address exponentially, with Retry-After', async () => {
    const username = await register();
    const from = '127.0.0.23';
    for (let i = 0; i < LOGIN_LOCKOUT.freeFailures; i++) expect((await login(from, username, `wrong ${i}`)).status).toBe(401);
    const held = await login(from, username, PASSWORD);
    expect(held.status).toBe(429);
    expect(held.body).toEqual({ statusCode: 429, code: 'rate_limited', message: expect.any(String) });
    expect(held.headers['retry-after']).toBe('1');
    // Let the delay pass (by moving the last failure back instead of waiting), fail once more: the delay doubles.
    const moveBack = () =>
      app.dataSource.query(`UPDATE login_failure_counters SET last_failed_at = last_failed_at - interval '1 hour' WHERE key LIKE $1`, [
        `pair:${username}:%`,
      ]);
    await moveBack();
    expect((await login(from, username, 'wrong again')).status).toBe(401);
    expect((await login(from, username, PASSWORD)).headers['retry-after']).toBe('2');
    // Another address of the owner is not held up by it.
    expect((await login('127.0.0.25', username, PASSWORD)).status).toBe(200);
    // Once the delay has passed, the right password gets in and forgives the failures.
    await moveBack();
    expect((await login(from, username, PASSWORD)).status).toBe(200);
    expect((await login(from, username, 'wrong after success')).status).toBe(401);
  });
});
