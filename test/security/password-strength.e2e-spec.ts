import { startServiceProcess } from '../support/service-process';
import { createTestDatabase } from '../support/test-database';
import { startTestApp, type TestApp } from '../support/test-app';

/**
 * Issue 8 item 9: weak passwords were accepted (`12345678`, the username, 8 spaces). Registration now refuses what is
 * easy to guess, judged by @zxcvbn-ts with its common and English lists and the username and display name as hints.
 */
describe('password strength at registration', () => {
  let app: TestApp;

  beforeAll(async () => {
    app = await startTestApp();
  });
  afterAll(() => app.close());

  it.each([
    ['a common password', 'weak-1', '12345678'],
    ['another common password', 'weak-2', 'password1'],
    ['eight spaces', 'weak-3', '        '],
    ['a keyboard row', 'weak-4', 'qwertyuiop'],
    ['the username', 'marguerite-dubois', 'marguerite-dubois'],
    ['the username with a digit', 'marguerite-durand', 'marguerite-durand1'],
  ])('refuses %s with validation_failed and advice', async (_, username, password) => {
    const response = await app.http().post('/api/accounts').send({ username, password });
    expect(response.status).toBe(400);
    expect(response.body).toEqual({ statusCode: 400, code: 'validation_failed', message: expect.stringMatching(/^password is too easy to guess/) });
  });

  it('refuses a password made of the display name', async () => {
    const response = await app
      .http()
      .post('/api/accounts')
      .send({ username: 'weak-5', password: 'Bartholomew Quince', displayName: 'Bartholomew Quince' });
    expect(response.body.code).toBe('validation_failed');
  });

  it('accepts a password that is hard to guess', async () => {
    await app.http().post('/api/accounts').send({ username: 'strong-1', password: 'violet tractor murmurs 42' }).expect(201);
  });
});

describe('password strength of the admin from ADMIN_PASSWORD', () => {
  it('refuses to start with a guessable ADMIN_PASSWORD, says why, and creates no admin', async () => {
    const db = await createTestDatabase();
    try {
      const start = startServiceProcess({ DATABASE_URL: db.url, ADMIN_USERNAME: 'weak-admin', ADMIN_PASSWORD: 'password123' });
      await expect(start).rejects.toThrow(/Cannot start: Invalid configuration:.{0,8}- ADMIN_PASSWORD is too easy to guess/);
      const admin = new (await import('pg')).default.Client({ connectionString: db.url });
      await admin.connect();
      try {
        expect((await admin.query(`SELECT 1 FROM accounts WHERE username = 'weak-admin'`)).rows).toEqual([]);
      } finally {
        await admin.end();
      }
    } finally {
      await db.drop();
    }
  }, 90_000);
});
