import { HASHING_SLOTS } from '@app/accounts';
import { signUpAndLogin } from '../support/factories';
import { startTestApp, type TestApp } from '../support/test-app';

/**
 * Issue 8 item 5: 60 concurrent wrong logins put 60 scrypt hashes on libuv's four threads, which the database driver
 * needs too, and every other request stalled. At most HASHING_SLOTS.concurrency hashes run at once, a bounded number
 * wait, and the rest are told at once to come back (429 rate_limited, Retry-After: 1).
 */
describe('password hashing under a flood of logins', () => {
  let app: TestApp;

  beforeAll(async () => {
    // RATE_LIMITS off: neither the per-address limit nor the lockout may be what answers here.
    app = await startTestApp({ RATE_LIMITS: 'off' });
  });
  afterAll(() => app.close());

  it('bounds concurrent hashing and answers the excess with 429 at once, while other requests are served', async () => {
    const phone = await signUpAndLogin(app);
    const flood = Array.from({ length: 60 }, (_, i) =>
      app
        .http()
        .post('/api/auth/login')
        .send({ username: phone.username, password: `wrong guess ${i}`, device: { id: `flood-device-${i}`, type: 'ios' } }),
    );
    let peak = 0;
    const watch = setInterval(() => (peak = Math.max(peak, HASHING_SLOTS.active)), 1);
    const [responses, me] = await Promise.all([Promise.all(flood), app.http().get('/api/me').set(phone.headers)]);
    clearInterval(watch);
    expect(me.status).toBe(200);
    const refused = responses.filter((response) => response.status === 429);
    const wrong = responses.filter((response) => response.status === 401);
    expect(refused.length + wrong.length).toBe(60);
    // How many are refused depends on how fast the 60 arrive; some must be, as 60 exceed the slots and the queue.
    expect(refused.length).toBeGreaterThan(0);
    for (const response of refused) {
      expect(response.body).toEqual({ statusCode: 429, code: 'rate_limited', message: expect.any(String) });
      expect(response.headers['retry-after']).toBe('1');
    }
    expect(peak).toBeLessThanOrEqual(HASHING_SLOTS.concurrency);
    // Once the flood is over, the right password works.
    await app
      .http()
      .post('/api/auth/login')
      .send({ username: phone.username, password: phone.password, device: { id: 'after-flood', type: 'ios' } })
      .expect(200);
  });
});
