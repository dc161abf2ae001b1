import type { AccountView, DeviceType, DeviceView, LoginResult, ScanCodeResult, ScanResult } from '@app/contract';
import { HttpClient, type HttpClientOptions } from './http-client';
import { QrClientError } from './qr-client.error';
import { qrTargetOf } from './qr-content';

export type MobileDeviceType = Extract<DeviceType, 'ios' | 'android'>;

export interface MobileDevice {
  /** 8-128 of `[A-Za-z0-9._:-]`, chosen once per install and kept. */
  id: string;
  type: MobileDeviceType;
  name?: string;
}

/** A token is valid only with the device it was issued to (contract §1): the two travel together. */
export interface MobileCredentials {
  accessToken: string;
  deviceId: string;
}

/** `POST /api/accounts` answers this. */
export interface CreatedAccount {
  accountId: string;
  username: string;
  displayName: string;
}

export interface MeView {
  account: AccountView;
  device: DeviceView;
}

/** An item of `GET /api/devices`; `current` marks the device that asks. */
export interface SignedInDeviceView extends DeviceView {
  createdAt: string;
  lastSeenAt: string;
  current: boolean;
}

export interface QrMobileClientOptions extends HttpClientOptions {
  /** Credentials kept from an earlier `login` (e.g. read back from storage). */
  credentials?: MobileCredentials;
}

/**
 * The phone side of QR login: sign in with a password, then scan a desktop's QR, show who asks (`requester`), and
 * confirm or reject. Every signed-in call sends `Authorization: Bearer` and `X-Device-Id`.
 */
export class QrMobileClient {
  private readonly http: HttpClient;
  private current: MobileCredentials | undefined;

  constructor(options: QrMobileClientOptions) {
    this.http = new HttpClient(options);
    this.current = options.credentials;
  }

  get baseUrl(): string {
    return this.http.baseUrl;
  }

  /** What to keep between runs; undefined before `login` and after `logout`. */
  get credentials(): MobileCredentials | undefined {
    return this.current;
  }

  createAccount(account: { username: string; password: string; displayName?: string }): Promise<CreatedAccount> {
    return this.http.request<CreatedAccount>('POST', '/api/accounts', { body: account });
  }

  /** `POST /api/auth/login`; the token and the device id are kept for the calls that follow. */
  async login(username: string, password: string, device: MobileDevice): Promise<LoginResult> {
    const login = await this.http.request<LoginResult>('POST', '/api/auth/login', { body: { username, password, device } });
    this.current = { accessToken: login.accessToken, deviceId: login.device.id };
    return login;
  }

  me(): Promise<MeView> {
    return this.signedIn<MeView>('GET', '/api/me');
  }

  /**
   * Scans a QR: `qr` is what the camera read (`<PUBLIC_URL>/q/<id>`) or the bare session id. A device grant's
   * `verification_uri_complete` (`<PUBLIC_URL>/device?user_code=WDJB-MJHT`) is the same as typing its code.
   */
  scan(qr: string): Promise<ScanResult | ScanCodeResult> {
    const target = qrTargetOf(qr);
    if (target.kind === 'userCode') return this.scanCode(target.userCode);
    return this.signedIn<ScanResult>('POST', `${this.sessionPath(target.id)}/scan`);
  }

  /**
   * Types the code that a CLI or TV shows (`WDJB-MJHT`; any case, with or without the dash): answers like `scan`, with
   * the asking OAuth client among the requester's details. Confirm or reject its `id` as usual.
   */
  scanCode(userCode: string): Promise<ScanCodeResult> {
    return this.signedIn<ScanCodeResult>('POST', '/api/qr-sessions/scan-code', { userCode: userCode.trim() });
  }

  confirm(qrId: string, scanTicket: string): Promise<{ id: string; status: 'confirmed' }> {
    return this.signedIn('POST', `${this.sessionPath(qrId)}/confirm`, { scanTicket });
  }

  reject(qrId: string, scanTicket: string): Promise<{ id: string; status: 'rejected' }> {
    return this.signedIn('POST', `${this.sessionPath(qrId)}/reject`, { scanTicket });
  }

  async devices(): Promise<SignedInDeviceView[]> {
    return (await this.signedIn<{ items: SignedInDeviceView[] }>('GET', '/api/devices')).items;
  }

  /** Signs a device of this account out everywhere; signing out this very device forgets the credentials too. */
  async signOutDevice(deviceId: string): Promise<void> {
    const own = this.current?.deviceId === deviceId;
    await this.signedIn<void>('DELETE', `/api/devices/${encodeURIComponent(deviceId)}`);
    if (own) this.current = undefined;
  }

  /**
   * Revokes the token and forgets it. A token the server already refuses (`token_revoked`, `unauthorized`) is
   * forgotten as well and counts as logged out; a network failure keeps it, so that logout can be retried.
   */
  async logout(): Promise<void> {
    try {
      await this.signedIn<void>('POST', '/api/auth/logout');
    } catch (error) {
      if (!(error instanceof QrClientError && (error.code === 'token_revoked' || error.code === 'unauthorized'))) throw error;
    }
    this.current = undefined;
  }

  private signedIn<T>(method: string, path: string, body?: unknown): Promise<T> {
    const credentials = this.current;
    if (!credentials) return Promise.reject(QrClientError.client('not_signed_in', 'Sign in first: this call needs a token.'));
    return this.http.request<T>(method, path, {
      body,
      headers: { Authorization: `Bearer ${credentials.accessToken}`, 'X-Device-Id': credentials.deviceId },
    });
  }

  private sessionPath(qrId: string): string {
    return `/api/qr-sessions/${encodeURIComponent(qrId)}`;
  }
}
