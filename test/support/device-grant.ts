import type { TestApp } from './test-app';

export const DEVICE_CODE_GRANT = 'urn:ietf:params:oauth:grant-type:device_code';

/** What POST /oauth/device_authorization answers. */
export interface DeviceAuthorization {
  device_code: string;
  user_code: string;
  verification_uri: string;
  verification_uri_complete: string;
  expires_in: number;
  interval: number;
  qr_session_id: string;
}

/** A CLI or TV asks to sign in (form-encoded, as RFC 8628 wants). */
export async function authorizeDevice(
  app: TestApp,
  form: Record<string, string> = { client_id: 'test-cli' },
  userAgent = 'TestCli/1.0',
): Promise<DeviceAuthorization> {
  const response = await app.http().post('/oauth/device_authorization').set('User-Agent', userAgent).type('form').send(form).expect(200);
  return response.body as DeviceAuthorization;
}

/** One token request, answered as it comes. */
export function pollToken(app: TestApp, deviceCode: string, clientId = 'test-cli') {
  return app.http().post('/oauth/token').type('form').send({ grant_type: DEVICE_CODE_GRANT, device_code: deviceCode, client_id: clientId });
}

/**
 * Moves the grant's last poll back by its whole interval, as if the client had waited it: the next poll is on time.
 * (The alternative is a real 5-second wait per poll.)
 */
export async function waitOutInterval(app: TestApp, qrSessionId: string, seconds?: number): Promise<void> {
  await app.dataSource.query(
    `UPDATE device_authorizations
        SET last_polled_at = last_polled_at - make_interval(secs => COALESCE($2, poll_interval_seconds))
      WHERE qr_session_id = $1`,
    [qrSessionId, seconds ?? null],
  );
}
