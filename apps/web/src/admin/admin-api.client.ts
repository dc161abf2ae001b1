import type {
  AdminAccount,
  AdminDevice,
  AdminLiveStats,
  AdminPage,
  AdminQrSession,
  AdminQrSessionDetail,
  AdminSignInStats,
  LoginResult,
  QrStatus,
  SignInStatsRange,
} from '@app/contract';
import { HttpClient, QrClientError } from '@app/sdk';

export interface SessionFilters {
  status?: QrStatus;
  accountId?: string;
  from?: string;
  to?: string;
}

/** Answers that mean the admin's token is no good any more: the page signs out. */
const SESSION_ENDED_CODES: readonly string[] = ['unauthorized', 'token_revoked', 'device_mismatch'];

/**
 * The admin API (contract §5 and the admin page's extensions), typed, on the SDK's HTTP client: every failure is a
 * QrClientError with the contract's code. It holds the admin's token and this browser's device id.
 */
export class AdminApiClient {
  private readonly http: HttpClient;
  token: string | null = null;

  constructor(
    baseUrl: string,
    readonly deviceId: string,
    /** Called when an answer says the token stopped working (revoked, expired, another device's). */
    private readonly onSessionEnded: () => void,
  ) {
    this.http = new HttpClient({ baseUrl });
  }

  login(username: string, password: string): Promise<LoginResult> {
    return this.http.request<LoginResult>('POST', '/api/auth/login', {
      body: { username, password, device: { id: this.deviceId, type: 'web', name: 'Admin page' } },
    });
  }

  /** Revokes the token on the service (it answers token_revoked from then on), then forgets it. */
  async logout(): Promise<void> {
    const token = this.token;
    this.token = null;
    if (!token) return;
    await this.http
      .request('POST', '/api/auth/logout', { headers: { Authorization: `Bearer ${token}`, 'X-Device-Id': this.deviceId } })
      .catch(() => undefined);
  }

  listSessions(filters: SessionFilters, limit: number, cursor?: string | null): Promise<AdminPage<AdminQrSession>> {
    return this.get('/api/admin/qr-sessions', { ...filters, limit, cursor: cursor ?? undefined });
  }

  session(id: string): Promise<AdminQrSessionDetail> {
    return this.get(`/api/admin/qr-sessions/${encodeURIComponent(id)}`);
  }

  devices(accountId: string): Promise<{ items: AdminDevice[] }> {
    return this.get('/api/admin/devices', { accountId });
  }

  revokeDevice(accountId: string, deviceId: string): Promise<{ revokedTokens: number }> {
    return this.call('POST', `/api/admin/devices/${encodeURIComponent(accountId)}/${encodeURIComponent(deviceId)}/revoke`);
  }

  findAccounts(query: string): Promise<{ items: AdminAccount[] }> {
    return this.get('/api/admin/accounts', { query: query || undefined });
  }

  signInStats(range: SignInStatsRange): Promise<AdminSignInStats> {
    return this.get('/api/admin/stats/sign-ins', { range });
  }

  liveStats(): Promise<AdminLiveStats> {
    return this.get('/api/admin/stats/live');
  }

  private get<T>(path: string, query?: Record<string, string | number | undefined>): Promise<T> {
    return this.call('GET', path, query);
  }

  private async call<T>(method: string, path: string, query?: Record<string, string | number | undefined>): Promise<T> {
    try {
      return await this.http.request<T>(method, path, {
        query,
        headers: { Authorization: this.token ? `Bearer ${this.token}` : undefined, 'X-Device-Id': this.deviceId },
      });
    } catch (error) {
      if (error instanceof QrClientError && SESSION_ENDED_CODES.includes(error.code) && this.token) this.onSessionEnded();
      throw error;
    }
  }
}
