// The service's API as the benchmark's clients call it: plain fetch on 127.0.0.1, one function per call of the
// contract (shared/contract.md), each checking the status it must answer so that a failing scenario never reports
// the speed of its errors.
import { randomBytes } from 'node:crypto';

export class ApiError extends Error {
  constructor(method, path, status, body) {
    super(`${method} ${path} answered ${status} ${body?.code ?? ''} ${body?.message ?? ''}`.trim());
    this.status = status;
  }
}

export const uniqueId = (prefix) => `${prefix}-${randomBytes(6).toString('hex')}`;

export function createApi(baseUrl) {
  async function call(method, path, { headers = {}, body, expect = 200, signal } = {}) {
    const response = await fetch(`${baseUrl}${path}`, {
      method,
      headers: body === undefined ? headers : { 'Content-Type': 'application/json', ...headers },
      body: body === undefined ? undefined : JSON.stringify(body),
      signal,
    });
    const text = await response.text();
    const parsed = text ? JSON.parse(text) : undefined;
    if (response.status !== expect) throw new ApiError(method, path, response.status, parsed);
    return parsed;
  }

  return {
    health: () => call('GET', '/api/health'),

    /** A fresh account signed in on a fresh phone: the headers a phone sends on every protected call. */
    async signUpPhone() {
      const username = uniqueId('bench').toLowerCase();
      const password = 'correct horse battery staple';
      await call('POST', '/api/accounts', { body: { username, password, displayName: `Bench ${username}` }, expect: 201 });
      const deviceId = uniqueId('bench-phone');
      const login = await call('POST', '/api/auth/login', {
        body: { username, password, device: { id: deviceId, type: 'ios', name: 'Bench phone' } },
      });
      return { username, deviceId, headers: { Authorization: `Bearer ${login.accessToken}`, 'X-Device-Id': deviceId } };
    },

    /** A desktop asks for a session; `image=none` unless told, as the SDK and the desktop page do. */
    createSession: (image = 'none', deviceId = uniqueId('bench-desk')) =>
      call('POST', `/api/qr-sessions?image=${image}`, {
        body: { device: { id: deviceId, type: 'web', name: 'Bench desktop' } },
        expect: 201,
      }),

    /** The desktop reads its session; with `wait` it long-polls until the status leaves `since`. */
    snapshot: (session, { since, wait, signal } = {}) =>
      call('GET', `/api/qr-sessions/${session.id}${since ? `?since=${since}&wait=${wait}` : ''}`, {
        headers: { 'X-QR-Secret': session.secret },
        signal,
      }),

    scan: (phone, id) => call('POST', `/api/qr-sessions/${id}/scan`, { headers: phone.headers }),

    confirm: (phone, id, scanTicket) => call('POST', `/api/qr-sessions/${id}/confirm`, { headers: phone.headers, body: { scanTicket } }),
  };
}
