import { jest } from '@jest/globals';
import { Logger } from '@nestjs/common';
import type { Server } from 'node:http';
import { connect } from 'node:net';
import { REQUEST_TIMEOUT_MS } from '../../apps/api/src/create-app';
import { signUpAndLogin } from '../support/factories';
import { startTestApp, type TestApp } from '../support/test-app';

/** Issue 8 item 12 (a) and (b): how the service reads what every request carries. */
describe('request parsing', () => {
  let app: TestApp;

  beforeAll(async () => {
    app = await startTestApp();
  });
  afterAll(() => app.close());

  it('takes the Authorization scheme in any case (RFC 9110: "bearer" is "Bearer")', async () => {
    const phone = await signUpAndLogin(app);
    for (const scheme of ['bearer', 'BEARER', 'bEaReR']) {
      const response = await app
        .http()
        .get('/api/me')
        .set('Authorization', `${scheme} ${phone.login.accessToken}`)
        .set('X-Device-Id', phone.deviceId);
      expect(response.status).toBe(200);
    }
    const basic = await app.http().get('/api/me').set('Authorization', `Basic ${phone.login.accessToken}`).set('X-Device-Id', phone.deviceId);
    expect(basic.body.code).toBe('unauthorized');
  });

  it('answers a malformed percent-escape in a path with validation_failed about the path, not about JSON', async () => {
    for (const path of ['/api/qr-sessions/%E0%A4%A', '/api/qr-sessions/%/qr.svg', '/q/%ZZ']) {
      const response = await app.http().get(path).set('X-Request-Id', 'bad-path-1');
      expect(response.status).toBe(400);
      // Refused by the router before any hook, and still answered with its request id.
      expect(response.headers['x-request-id']).toBe('bad-path-1');
      expect(response.body).toEqual({ statusCode: 400, code: 'validation_failed', message: 'The path holds a malformed percent-escape.' });
    }
    const json = await app.http().post('/api/accounts').set('Content-Type', 'application/json').send('{"username":');
    expect(json.body).toEqual({ statusCode: 400, code: 'validation_failed', message: 'The request body is not valid JSON.' });
  });

  it('refuses a JSON body with a __proto__ or constructor.prototype key, saying so (prototype poisoning)', async () => {
    for (const body of ['{"username":"x","__proto__":{"admin":true}}', '{"constructor":{"prototype":{"admin":true}}}']) {
      const response = await app.http().post('/api/accounts').set('Content-Type', 'application/json').send(body);
      expect(response.body).toEqual({ statusCode: 400, code: 'validation_failed', message: expect.stringContaining('__proto__') });
    }
  });

  it('takes a JSON POST with an empty body as no body, as clients send Content-Type: application/json without one', async () => {
    const phone = await signUpAndLogin(app);
    const response = await app.http().post('/api/auth/logout').set(phone.headers).set('Content-Type', 'application/json').send('');
    expect(response.status).toBe(204);
  });

  it('refuses a body of another type than JSON with validation_failed (400), never reading it as text', async () => {
    for (const type of [
      'text/plain',
      'application/xml',
      'application/octet-stream',
      'application/json; charset=latin1',
      'application/json; charset=utf-16',
    ]) {
      const response = await app.http().post('/api/accounts').set('Content-Type', type).send('username=x');
      expect(response.status).toBe(400);
      expect(response.body).toEqual({ statusCode: 400, code: 'validation_failed', message: 'Unsupported content type; send JSON.' });
    }
  });

  it('bounds the time a client may take to send its request, so that a trickled request does not hold a connection forever', () => {
    // Checked on the server rather than by waiting: Node looks at request timeouts only every 30 s.
    const server = app.app.getHttpServer() as Server;
    expect(server.requestTimeout).toBe(REQUEST_TIMEOUT_MS);
    expect(REQUEST_TIMEOUT_MS).toBeGreaterThan(0);
  });

  it('takes a client that goes away in the middle of its body for what it is, not for a database outage', async () => {
    const warn = jest.spyOn(Logger.prototype, 'warn');
    try {
      const port = Number(new URL(app.url).port);
      await new Promise<void>((resolve) => {
        const socket = connect(port, '127.0.0.1', () => {
          socket.write('POST /api/auth/login HTTP/1.1\r\nHost: x\r\nContent-Type: application/json\r\nContent-Length: 100\r\n\r\n{"user');
          setTimeout(() => socket.destroy(), 200);
        });
        socket.once('close', () => resolve());
      });
      // The body's reader fails once Node sees the connection gone.
      await new Promise((resolve) => setTimeout(resolve, 300));
      expect(warn.mock.calls.map(([message]) => String(message)).filter((message) => message.includes('database'))).toEqual([]);
    } finally {
      warn.mockRestore();
    }
  });

  it("answers what Node's HTTP parser refuses (a request line it cannot read, headers over its limit) with the contract's body", async () => {
    const { port } = new URL(app.url);
    const garbage = await rawExchange(Number(port), 'GARBAGE\r\n\r\n');
    expect(garbage).toMatch(/^HTTP\/1\.1 400 /);
    expect(JSON.parse(garbage.split('\r\n\r\n')[1])).toEqual({ statusCode: 400, code: 'validation_failed', message: 'The request is malformed.' });
    const huge = await app.http().get('/api/health/live').set('X-Big', 'a'.repeat(70_000));
    expect(huge.status).toBe(400);
    expect(huge.body).toEqual({ statusCode: 400, code: 'validation_failed', message: 'The request headers are larger than the limit.' });
  });

  it('answers a Range or a precondition a page cannot meet with validation_failed, not a 500', async () => {
    const range = await app.http().get('/').set('Range', 'bytes=999999-');
    expect(range.status).toBe(400);
    expect(range.body.code).toBe('validation_failed');
    const precondition = await app.http().get('/admin/').set('If-Match', '"nope"');
    expect(precondition.status).toBe(400);
    expect(precondition.body.code).toBe('validation_failed');
  });
});

/** Writes `bytes` on a fresh connection and resolves with everything the server sent back before closing it. */
function rawExchange(port: number, bytes: string): Promise<string> {
  return new Promise((resolve, reject) => {
    const socket = connect(port, '127.0.0.1', () => socket.write(bytes));
    let received = '';
    socket.on('data', (chunk) => (received += chunk.toString()));
    socket.on('error', reject);
    socket.on('close', () => resolve(received));
  });
}
