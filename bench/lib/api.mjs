// The service's API as the benchmark's clients call it: node:http with keep-alive on 127.0.0.1, one function per call
// of the contract, each checking the status it must answer so that a failing scenario never reports the speed of its
// errors. Not fetch: the generator shares the machine's cores with the server, and fetch spent 2 to 5 times the CPU
// of node:http per request (0.37-1.0 ms against 0.16-0.19 ms for GET /api/health, measured here), CPU the server
// then did not have.
import { randomBytes } from 'node:crypto';
import http from 'node:http';
import { agentFrom } from './addresses.mjs';

export class ApiError extends Error {
  constructor(method, path, status, body) {
    super(`${method} ${path} answered ${status} ${body?.code ?? ''} ${body?.message ?? ''}`.trim());
    this.status = status;
  }
}

export const uniqueId = (prefix) => `${prefix}-${randomBytes(6).toString('hex')}`;

/** One request: resolves to its status and its body as text. */
function request(url, { method, headers, body, signal, agent }) {
  return new Promise((resolve, reject) => {
    const outgoing = http.request(url, { method, headers, signal, agent }, (response) => {
      let text = '';
      response.setEncoding('utf8');
      response.on('data', (chunk) => (text += chunk));
      response.on('end', () => resolve({ status: response.statusCode, text }));
      response.on('error', reject);
    });
    outgoing.on('error', reject);
    outgoing.end(body);
  });
}

/** `agent`: a node:http Agent of the caller's (one per source address, say); by default a keep-alive agent of its own. */
export function createApi(baseUrl, { agent = agentFrom() } = {}) {
  async function call(method, path, { headers = {}, body, expect = 200, signal } = {}) {
    const payload = body === undefined ? undefined : JSON.stringify(body);
    const response = await request(`${baseUrl}${path}`, {
      method,
      headers: payload === undefined ? headers : { 'Content-Type': 'application/json', 'Content-Length': Buffer.byteLength(payload), ...headers },
      body: payload,
      signal,
      agent,
    });
    const parsed = response.text ? JSON.parse(response.text) : undefined;
    if (response.status !== expect) throw new ApiError(method, path, response.status, parsed);
    return parsed;
  }

  return {
    health: () => call('GET', '/api/health'),
    /** Liveness: the same request path with no statement, the floor of every request's cost. */
    live: () => call('GET', '/api/health/live'),

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
