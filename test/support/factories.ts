import { randomBytes } from 'node:crypto';
import type { CreatedQrSession, DeviceType, LoginResult, ScanResult } from '@app/contract';
import type { TestApp } from './test-app';

/** Whatever the factories talk to: an in-process test app, or a service process reached by URL. */
export type HttpTarget = Pick<TestApp, 'http'>;

export function uniqueName(prefix: string): string {
  return `${prefix}-${randomBytes(5).toString('hex')}`;
}

export interface SignedInDevice {
  login: LoginResult;
  username: string;
  password: string;
  deviceId: string;
  deviceType: DeviceType;
  /** The headers of an authenticated request from this device. */
  headers: Record<string, string>;
}

/** Registers a fresh account and signs it in on a fresh device (a phone unless told otherwise). */
export async function signUpAndLogin(
  app: HttpTarget,
  options: { type?: DeviceType; displayName?: string; username?: string; password?: string } = {},
): Promise<SignedInDevice> {
  const username = options.username ?? uniqueName('user');
  const password = options.password ?? 'correct horse battery';
  if (!options.username) {
    await app
      .http()
      .post('/api/accounts')
      .send({ username, password, displayName: options.displayName ?? `Name of ${username}` })
      .expect(201);
  }
  return loginAs(app, username, password, options.type ?? 'ios');
}

export async function loginAs(app: HttpTarget, username: string, password: string, type: DeviceType = 'ios'): Promise<SignedInDevice> {
  const deviceId = uniqueName(type);
  const response = await app
    .http()
    .post('/api/auth/login')
    .send({ username, password, device: { id: deviceId, type, name: `${type} test device` } })
    .expect(200);
  const login = response.body as LoginResult;
  return {
    login,
    username,
    password,
    deviceId,
    deviceType: type,
    headers: { Authorization: `Bearer ${login.accessToken}`, 'X-Device-Id': deviceId },
  };
}

export interface Desktop {
  deviceId: string;
  session: CreatedQrSession;
}

/** A desktop asks for a QR session. */
export async function createQrSession(app: HttpTarget, options: { userAgent?: string; image?: string } = {}): Promise<Desktop> {
  const deviceId = uniqueName('desk');
  const response = await app
    .http()
    .post(`/api/qr-sessions?image=${options.image ?? 'none'}`)
    .set('User-Agent', options.userAgent ?? 'DesktopTest/1.0')
    .send({ device: { id: deviceId, type: 'web', name: 'Test browser' } })
    .expect(201);
  return { deviceId, session: response.body as CreatedQrSession };
}

export async function scan(app: HttpTarget, phone: SignedInDevice, qrId: string): Promise<ScanResult> {
  const response = await app.http().post(`/api/qr-sessions/${qrId}/scan`).set(phone.headers).expect(200);
  return response.body as ScanResult;
}
