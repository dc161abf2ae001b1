import { createQrSession, scan, signUpAndLogin, type SignedInDevice } from './support/factories';
import { startTestApp, type TestApp } from './support/test-app';

/** Bad input on every endpoint answers 400 validation_failed with the contract's body, never 500 (threat 9). */
describe('bad input', () => {
  let app: TestApp;
  let phone: SignedInDevice;
  let qr: { id: string; secret: string };

  beforeAll(async () => {
    app = await startTestApp({ BODY_LIMIT_BYTES: '4096' });
    phone = await signUpAndLogin(app);
    qr = (await createQrSession(app)).session;
  });
  afterAll(() => app.close());

  function expectValidationFailed(response: { status: number; body: unknown }, label: string): void {
    expect({ label, status: response.status, body: response.body }).toEqual({
      label,
      status: 400,
      body: { statusCode: 400, code: 'validation_failed', message: expect.any(String) },
    });
  }

  const device = { id: 'device-okay-01', type: 'ios' };

  it.each([
    ['no body', undefined],
    ['an array', [1, 2]],
    ['a short username', { username: 'ab', password: 'long enough to pass' }],
    ['an upper-case username', { username: 'Alice', password: 'long enough to pass' }],
    ['a short password', { username: 'valid-name', password: 'short' }],
    ['a number as password', { username: 'valid-name', password: 12345678 }],
    ['an unknown field', { username: 'valid-name', password: 'long enough to pass', admin: true }],
    ['a long display name', { username: 'valid-name', password: 'long enough to pass', displayName: 'x'.repeat(101) }],
  ])('POST /api/accounts with %s', async (label, body) => {
    expectValidationFailed(
      await app
        .http()
        .post('/api/accounts')
        .send(body as object),
      label,
    );
  });

  it.each([
    ['no device', { username: 'someone', password: 'whatever-passphrase-42' }],
    ['a device that is a string', { username: 'someone', password: 'whatever-passphrase-42', device: 'phone' }],
    ['a short device id', { username: 'someone', password: 'whatever-passphrase-42', device: { id: 'short', type: 'ios' } }],
    ['a device id with spaces', { username: 'someone', password: 'whatever-passphrase-42', device: { id: 'has spaces here', type: 'ios' } }],
    ['an unknown device type', { username: 'someone', password: 'whatever-passphrase-42', device: { id: 'device-okay-01', type: 'fridge' } }],
    ['an empty device name', { username: 'someone', password: 'whatever-passphrase-42', device: { ...device, name: '' } }],
    ['an extra device field', { username: 'someone', password: 'whatever-passphrase-42', device: { ...device, os: 'x' } }],
  ])('POST /api/auth/login with %s', async (label, body) => {
    expectValidationFailed(await app.http().post('/api/auth/login').send(body), label);
  });

  it.each([
    ['no body', '', undefined],
    ['a phone device type', '', { device: { id: 'desk-okay-0001', type: 'ios' } }],
    ['a bad device id', '', { device: { id: '../../etc', type: 'pc' } }],
    ['an unknown image format', '?image=gif', { device: { id: 'desk-okay-0001', type: 'pc' } }],
    ['an unknown query parameter', '?colour=red', { device: { id: 'desk-okay-0001', type: 'pc' } }],
  ])('POST /api/qr-sessions with %s', async (label, query, body) => {
    expectValidationFailed(
      await app
        .http()
        .post(`/api/qr-sessions${query}`)
        .send(body as object),
      label,
    );
  });

  it.each([
    ['a malformed id', '/api/qr-sessions/not-an-id'],
    ['an id with a quote', "/api/qr-sessions/AAAAAAAAAAAAAAAAAAAAA'"],
    ['a non-numeric wait', '/api/qr-sessions/{id}?since=pending&wait=soon'],
    ['a wait over 30', '/api/qr-sessions/{id}?since=pending&wait=31'],
    ['a negative wait', '/api/qr-sessions/{id}?since=pending&wait=-1'],
    ['an unknown since', '/api/qr-sessions/{id}?since=done&wait=1'],
    ['a malformed id for qr.svg', '/api/qr-sessions/%00%00/qr.svg'],
    ['a malformed id for the landing page', '/q/<script>'],
  ])('GET with %s', async (label, path) => {
    const response = await app.http().get(path.replace('{id}', qr.id)).set('X-QR-Secret', qr.secret);
    expectValidationFailed(response, label);
  });

  it.each([
    ['no scan ticket', {}],
    ['a numeric scan ticket', { scanTicket: 42 }],
    ['an empty scan ticket', { scanTicket: '' }],
    ['an oversized scan ticket', { scanTicket: 'x'.repeat(300) }],
  ])('POST confirm and reject with %s', async (label, body) => {
    const session = (await createQrSession(app)).session;
    await scan(app, phone, session.id);
    expectValidationFailed(await app.http().post(`/api/qr-sessions/${session.id}/confirm`).set(phone.headers).send(body), `confirm: ${label}`);
    expectValidationFailed(await app.http().post(`/api/qr-sessions/${session.id}/reject`).set(phone.headers).send(body), `reject: ${label}`);
  });

  it('answers validation_failed for a malformed X-Device-Id or X-Device-Type header and a bad device path', async () => {
    expectValidationFailed(
      await app
        .http()
        .get('/api/me')
        .set({ ...phone.headers, 'X-Device-Id': 'no' }),
      'short device id',
    );
    expectValidationFailed(
      await app
        .http()
        .get('/api/me')
        .set({ ...phone.headers, 'X-Device-Type': 'toaster' }),
      'device type',
    );
    expectValidationFailed(await app.http().get('/api/me').set({ Authorization: phone.headers.Authorization }), 'no device id');
    expectValidationFailed(await app.http().delete('/api/devices/x').set(phone.headers), 'device path');
    expectValidationFailed(await app.http().post(`/api/qr-sessions/bad-id/scan`).set(phone.headers), 'scan path');
  });

  it('answers validation_failed for malformed JSON and a wrong content type', async () => {
    const broken = await app.http().post('/api/accounts').set('Content-Type', 'application/json').send('{"username": ');
    expectValidationFailed(broken, 'broken JSON');
    const text = await app.http().post('/api/accounts').set('Content-Type', 'text/plain').send('username=alice');
    expectValidationFailed(text, 'text body');
  });

  it('answers validation_failed for text PostgreSQL cannot store (a NUL character)', async () => {
    expectValidationFailed(
      await app.http().post('/api/accounts').send({ username: 'nul-user', password: 'long enough to pass', displayName: 'a\u0000b' }),
      'NUL in displayName',
    );
    expectValidationFailed(
      await app
        .http()
        .post('/api/qr-sessions')
        .send({ device: { id: 'desk-nul-0001', type: 'pc', name: 'x\u0000' } }),
      'NUL in device name',
    );
    expectValidationFailed(
      await app.http().post('/api/auth/login').send({ username: 'a\u0000', password: 'whatever-passphrase-42', device }),
      'NUL in username',
    );
  });

  it('answers validation_failed for deeply nested JSON instead of exhausting the stack', async () => {
    const deep = `${'['.repeat(2000)}${']'.repeat(2000)}`;
    const response = await app.http().post('/api/accounts').set('Content-Type', 'application/json').send(`{"username": ${deep}}`);
    expectValidationFailed(response, 'deep nesting');
  });

  it('refuses an oversized body with payload_too_large before reading it all', async () => {
    const response = await app
      .http()
      .post('/api/accounts')
      .send({ username: 'big-body', password: 'x'.repeat(10_000) })
      .expect(413);
    expect(response.body).toEqual({ statusCode: 413, code: 'payload_too_large', message: expect.any(String) });
  });

  it('answers not_found with the contract body for an unknown route or page', async () => {
    // Paths the static files refuse as not canonical (a NUL, a `..` segment, an empty segment) name no page either:
    // `not_found`, not `forbidden`, which is for the signed-in (contract §1).
    const notCanonical = ['/%00', '/api/%00', '/assets/%00', '/%2e%2e/etc/passwd', '/assets/x/..%2f..%2fpackage.json', '//admin'];
    for (const path of ['/api/nothing-here', '/nothing-here', '/admin/nothing.js', ...notCanonical]) {
      const response = await app.http().get(path);
      expect({ path, status: response.status, body: response.body }).toEqual({
        path,
        status: 404,
        body: { statusCode: 404, code: 'not_found', message: expect.any(String) },
      });
    }
  });

  it('keeps serving after all of that', async () => {
    await app.http().get('/api/me').set(phone.headers).expect(200);
  });
});

describe('behind a proxy (TRUST_PROXY=1)', () => {
  let app: TestApp;

  beforeAll(async () => {
    app = await startTestApp({ TRUST_PROXY: '1', RATE_LIMITS: 'on' });
  });
  afterAll(() => app.close());

  it('records the forwarded client address, and ignores a forged one that is not an address', async () => {
    const forwarded = await app
      .http()
      .post('/api/qr-sessions?image=none')
      .set('X-Forwarded-For', '203.0.113.9')
      .send({ device: { id: 'desk-proxy-0001', type: 'pc' } })
      .expect(201);
    const forged = await app
      .http()
      .post('/api/qr-sessions?image=none')
      .set('X-Forwarded-For', `not-an-ip-${'x'.repeat(300)}`)
      .send({ device: { id: 'desk-proxy-0002', type: 'pc' } })
      .expect(201);
    const rows = await app.dataSource.query('SELECT id, host(desktop_ip) AS ip FROM qr_sessions WHERE id = ANY($1)', [
      [forwarded.body.id, forged.body.id],
    ]);
    const ipOf = (id: string) => rows.find((row: { id: string }) => row.id === id).ip;
    expect(ipOf(forwarded.body.id)).toBe('203.0.113.9');
    expect(ipOf(forged.body.id)).toBe('127.0.0.1');
  });
});

describe('names that are shown to people', () => {
  let app: TestApp;

  beforeAll(async () => {
    app = await startTestApp();
  });
  afterAll(() => app.close());

  it.each([
    ['a newline', 'Office PC\n  IP address: 10.0.0.1'],
    ['an escape sequence', 'PC\u001b[8m hidden'],
    ['a right-to-left override', 'PC\u202egnp.exe'],
  ])('refuses a device name with %s (it could fake what the phone shows)', async (_, name) => {
    const response = await app
      .http()
      .post('/api/qr-sessions?image=none')
      .send({ device: { id: 'desk-name-0001', type: 'pc', name } });
    expect(response.status).toBe(400);
    expect(response.body.code).toBe('validation_failed');
  });

  it('refuses a display name with control characters, and accepts any printable text', async () => {
    const bad = await app.http().post('/api/accounts').send({ username: 'ctrl-user', password: 'long enough to pass', displayName: 'Eve\u0007' });
    expect(bad.body.code).toBe('validation_failed');
    await app.http().post('/api/accounts').send({ username: 'unicode-user', password: 'long enough to pass', displayName: 'Zoë 李 🙂' }).expect(201);
  });
});
