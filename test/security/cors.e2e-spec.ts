import request from 'supertest';
import { ACCOUNT_NAMESPACE, ADMIN_NAMESPACE, QR_NAMESPACE } from '@app/contract';
import { createQrSession, signUpAndLogin } from '../support/factories';
import { connectSocket } from '../support/socket-client';
import { startTestApp, TEST_PUBLIC_URL, type TestApp } from '../support/test-app';

const EVIL = 'https://evil.example';
const PARTNER = 'https://partner.example';

/**
 * Issue 8 item 1: a hostile web page must not run a QR login inside the victim's browser. It would create a session,
 * read its secret, wait on the socket or long-poll and receive the token. Only PUBLIC_URL's origin and CORS_ORIGINS
 * get a CORS grant, and a socket handshake from any other origin is refused on every namespace and transport.
 */
describe('CORS and socket origins (CORS_ORIGINS)', () => {
  let app: TestApp;

  beforeAll(async () => {
    app = await startTestApp({ CORS_ORIGINS: PARTNER });
  });
  afterAll(() => app.close());

  it('grants no CORS to another origin: preflight and the actual request carry no Access-Control-Allow-Origin', async () => {
    const preflight = await app
      .http()
      .options('/api/qr-sessions')
      .set('Origin', EVIL)
      .set('Access-Control-Request-Method', 'POST')
      .set('Access-Control-Request-Headers', 'content-type');
    expect(preflight.headers['access-control-allow-origin']).toBeUndefined();
    const created = await app
      .http()
      .post('/api/qr-sessions?image=none')
      .set('Origin', EVIL)
      .send({ device: { id: 'evil-desk-1', type: 'web' } });
    expect(created.headers['access-control-allow-origin']).toBeUndefined();
    const polled = await app.http().get(`/api/qr-sessions/${created.body.id}`).set('Origin', EVIL).set('X-QR-Secret', created.body.secret);
    expect(polled.headers['access-control-allow-origin']).toBeUndefined();
  });

  it('grants CORS to the origin of PUBLIC_URL and to the origins of CORS_ORIGINS, exposing Retry-After', async () => {
    for (const origin of [TEST_PUBLIC_URL, PARTNER]) {
      const preflight = await app
        .http()
        .options('/api/qr-sessions')
        .set('Origin', origin)
        .set('Access-Control-Request-Method', 'POST')
        .set('Access-Control-Request-Headers', 'content-type');
      expect(preflight.headers['access-control-allow-origin']).toBe(origin);
      const response = await app.http().get('/api/health').set('Origin', origin);
      expect(response.headers['access-control-allow-origin']).toBe(origin);
      expect(response.headers['access-control-expose-headers']).toContain('Retry-After');
    }
  });

  it('lets an allowed origin use every method of the API: DELETE cancels a session, signs a device out', async () => {
    const preflight = await app
      .http()
      .options('/api/qr-sessions/AAAAAAAAAAAAAAAAAAAAAA')
      .set('Origin', PARTNER)
      .set('Access-Control-Request-Method', 'DELETE')
      .set('Access-Control-Request-Headers', 'x-qr-secret');
    expect(preflight.status).toBe(204);
    expect(preflight.headers['access-control-allow-origin']).toBe(PARTNER);
    expect(preflight.headers['access-control-allow-methods']).toContain('DELETE');
  });

  it('refuses a WebSocket handshake from another origin on every namespace, before any namespace sees it', async () => {
    const { session } = await createQrSession(app);
    const phone = await signUpAndLogin(app);
    const attempts = [
      { namespace: QR_NAMESPACE, auth: { qrId: session.id, secret: session.secret } },
      { namespace: ACCOUNT_NAMESPACE, auth: { accessToken: phone.login.accessToken, deviceId: phone.deviceId } },
      { namespace: ADMIN_NAMESPACE, auth: { accessToken: phone.login.accessToken, deviceId: phone.deviceId } },
      { namespace: '/', auth: {} },
    ];
    for (const { namespace, auth } of attempts) {
      await expect(connectSocket(app.url, namespace, { auth, headers: { Origin: EVIL } })).rejects.toMatchObject({
        message: 'websocket error',
      });
    }
    // The very same handshakes with an allowed origin (or none, as from a native app) are let in.
    for (const origin of [TEST_PUBLIC_URL, PARTNER]) {
      (await connectSocket(app.url, QR_NAMESPACE, { auth: attempts[0].auth, headers: { Origin: origin } })).close();
    }
    (await connectSocket(app.url, ACCOUNT_NAMESPACE, { auth: attempts[1].auth })).close();
  });

  it('refuses a long-polling handshake from another origin, with no CORS grant', async () => {
    const evil = await request(app.url).get('/socket.io/?EIO=4&transport=polling').set('Origin', EVIL);
    expect(evil.status).toBe(403);
    expect(evil.headers['access-control-allow-origin']).toBeUndefined();
    const own = await request(app.url).get('/socket.io/?EIO=4&transport=polling').set('Origin', TEST_PUBLIC_URL);
    expect(own.status).toBe(200);
    expect(own.headers['access-control-allow-origin']).toBe(TEST_PUBLIC_URL);
  });

  it("lets the service's own pages in, whatever host name they were opened by (same origin)", async () => {
    const { session } = await createQrSession(app);
    const ownOrigin = new URL(app.url).origin;
    (await connectSocket(app.url, QR_NAMESPACE, { auth: { qrId: session.id, secret: session.secret }, headers: { Origin: ownOrigin } })).close();
  });
});
