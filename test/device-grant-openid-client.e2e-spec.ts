import * as client from 'openid-client';
import type { ScanResult } from '@app/contract';
import { signUpAndLogin, type SignedInDevice } from './support/factories';
import { freePort, startTestApp, type TestApp } from './support/test-app';

/**
 * Contract §8 with a standard client: openid-client 6, unmodified, signs a CLI in from discovery to a token that works
 * on GET /api/me. Its poll waits the real `interval` (5 s, 10 s after a slow_down), so these tests take that long.
 */
describe('device grant with openid-client', () => {
  let app: TestApp;
  let phone: SignedInDevice;
  let config: client.Configuration;

  beforeAll(async () => {
    // The issuer must be the address the client really reaches: PUBLIC_URL is this app's own URL.
    const port = await freePort();
    app = await startTestApp({ PORT: String(port), PUBLIC_URL: `http://127.0.0.1:${port}` });
    phone = await signUpAndLogin(app, { displayName: 'Alice' });
    config = await client.discovery(new URL(app.config.publicUrl), 'openid-client-test', undefined, client.None(), {
      execute: [client.allowInsecureRequests],
      algorithm: 'oauth2',
    });
  });
  afterAll(() => app.close());

  /** The phone types the code and answers: what a person does while the client polls. */
  async function onThePhone(userCode: string, decision: 'confirm' | 'reject'): Promise<void> {
    const scanned = await app.http().post('/api/qr-sessions/scan-code').set(phone.headers).send({ userCode }).expect(200);
    const { id, scanTicket } = scanned.body as ScanResult;
    await app.http().post(`/api/qr-sessions/${id}/${decision}`).set(phone.headers).send({ scanTicket }).expect(200);
  }

  it('discovers the server from PUBLIC_URL', () => {
    const metadata = config.serverMetadata();
    expect(metadata.issuer).toBe(app.config.publicUrl);
    expect(metadata.device_authorization_endpoint).toBe(`${app.config.publicUrl}/oauth/device_authorization`);
    expect(metadata.token_endpoint).toBe(`${app.config.publicUrl}/oauth/token`);
  });

  it('signs a CLI in: device authorization, the phone confirms, the poll gets a token that works on /api/me', async () => {
    const authorization = await client.initiateDeviceAuthorization(config, { device_name: 'openid-client CLI', scope: 'anything' });
    expect(authorization.user_code).toMatch(/^[BCDFGHJKLMNPQRSTVWXZ]{4}-[BCDFGHJKLMNPQRSTVWXZ]{4}$/);
    expect(authorization.verification_uri).toBe(`${app.config.publicUrl}/device`);
    expect(authorization.interval).toBe(5);

    const polling = client.pollDeviceAuthorizationGrant(config, authorization);
    await onThePhone(authorization.user_code.toLowerCase(), 'confirm');
    const tokens = await polling;
    expect(tokens.token_type).toBe('bearer');
    expect(tokens.expiresIn()).toBeGreaterThan(0);
    const deviceId = tokens.device_id as string;
    expect(deviceId).toMatch(/^oauth-/);

    const response = await client.fetchProtectedResource(
      config,
      tokens.access_token,
      new URL(`${app.url}/api/me`),
      'GET',
      null,
      new Headers({ 'X-Device-Id': deviceId }),
    );
    expect(response.status).toBe(200);
    expect(await response.json()).toEqual({
      account: { id: phone.login.account.id, username: phone.username, displayName: 'Alice' },
      device: { id: deviceId, type: 'pc', name: 'openid-client CLI' },
    });
  });

  it('ends the poll with access_denied when the phone rejects', async () => {
    const authorization = await client.initiateDeviceAuthorization(config, {});
    const polling = client.pollDeviceAuthorizationGrant(config, authorization);
    const outcome = polling.then(
      () => 'signed in',
      (error: unknown) => (error as { error?: string }).error,
    );
    await onThePhone(authorization.user_code, 'reject');
    expect(await outcome).toBe('access_denied');
  });

  it('obeys slow_down: after a poll too soon it waits 5 s longer, and still gets the token', async () => {
    const authorization = await client.initiateDeviceAuthorization(config, {});
    const started = Date.now();
    const polling = client.pollDeviceAuthorizationGrant(config, authorization);
    // Another poll of the same grant in between makes the client's first poll too soon: slow_down.
    const early = await app
      .http()
      .post('/oauth/token')
      .type('form')
      .send({ grant_type: 'urn:ietf:params:oauth:grant-type:device_code', device_code: authorization.device_code, client_id: 'openid-client-test' });
    expect(early.body.error).toBe('authorization_pending');
    // As if that poll had come 2.5 s later: the client's own poll, 5 s after it started, is then 2.5 s after it.
    await app.dataSource.query(`UPDATE device_authorizations SET last_polled_at = last_polled_at + interval '2.5 seconds' WHERE qr_session_id = $1`, [
      authorization.qr_session_id,
    ]);
    // The phone confirms once the client has been told to slow down (a poll that finds the request decided is
    // answered whatever its pace).
    const interval = async (): Promise<number> =>
      (
        await app.dataSource.query('SELECT poll_interval_seconds FROM device_authorizations WHERE qr_session_id = $1', [authorization.qr_session_id])
      )[0].poll_interval_seconds;
    while ((await interval()) === 5) await new Promise((resolve) => setTimeout(resolve, 100));
    await onThePhone(authorization.user_code, 'confirm');
    const tokens = await polling;
    expect(tokens.access_token).toEqual(expect.any(String));
    // 5 s to the refused poll, then 10 s (not 5) to the next one.
    expect(Date.now() - started).toBeGreaterThanOrEqual(15_000);
    expect(await interval()).toBe(10);
  }, 40_000);
});
