import type { LoginResult } from '@app/contract';
import type { FetchLike } from './http-client';
import { QrMobileClient } from './mobile.client';

const LOGIN: LoginResult = {
  accessToken: 'phone-token',
  tokenType: 'Bearer',
  expiresAt: '2030-01-01T00:00:00.000Z',
  account: { id: 'account-1', username: 'alice', displayName: 'Alice' },
  device: { id: 'phone-00000001', type: 'ios', name: 'iPhone' },
};

describe('QrMobileClient', () => {
  let requests: Array<{ method: string; url: string; headers: Record<string, string>; body?: unknown }>;
  let answers: Response[];
  let client: QrMobileClient;

  beforeEach(() => {
    requests = [];
    answers = [];
    const fetch: FetchLike = async (url, init) => {
      requests.push({ method: init.method, url, headers: init.headers, body: init.body && JSON.parse(init.body) });
      return answers.shift() ?? Response.json({ unexpected: true });
    };
    client = new QrMobileClient({ baseUrl: 'http://qr.test', fetch });
  });

  it('refuses signed-in calls before login, without a request', async () => {
    await expect(client.me()).rejects.toMatchObject({ code: 'not_signed_in', statusCode: 0 });
    await expect(client.scan('Ab3_-xYz0123456789AbCd')).rejects.toMatchObject({ code: 'not_signed_in' });
    expect(requests).toEqual([]);
  });

  it('keeps the token and device id of the login and sends both on every signed-in call', async () => {
    answers.push(Response.json(LOGIN));
    await client.login('alice', 'correct horse battery', { id: 'phone-00000001', type: 'ios', name: 'iPhone' });
    expect(requests[0]).toMatchObject({
      method: 'POST',
      url: 'http://qr.test/api/auth/login',
      body: { username: 'alice', password: 'correct horse battery', device: { id: 'phone-00000001', type: 'ios', name: 'iPhone' } },
    });
    expect(requests[0].headers.Authorization).toBeUndefined();
    expect(client.credentials).toEqual({ accessToken: 'phone-token', deviceId: 'phone-00000001' });

    answers.push(Response.json({ id: 'Ab3_-xYz0123456789AbCd', status: 'scanned' }), Response.json({ id: 'x', status: 'confirmed' }));
    answers.push(Response.json({ id: 'x', status: 'rejected' }), Response.json({ items: [] }), new Response(null, { status: 204 }));
    await client.scan('http://qr.test/q/Ab3_-xYz0123456789AbCd');
    await client.confirm('Ab3_-xYz0123456789AbCd', 'ticket-1');
    await client.reject('Ab3_-xYz0123456789AbCd', 'ticket-2');
    await client.devices();
    await client.signOutDevice('old-phone-0001');
    expect(requests.slice(1).map((request) => `${request.method} ${request.url}`)).toEqual([
      'POST http://qr.test/api/qr-sessions/Ab3_-xYz0123456789AbCd/scan',
      'POST http://qr.test/api/qr-sessions/Ab3_-xYz0123456789AbCd/confirm',
      'POST http://qr.test/api/qr-sessions/Ab3_-xYz0123456789AbCd/reject',
      'GET http://qr.test/api/devices',
      'DELETE http://qr.test/api/devices/old-phone-0001',
    ]);
    for (const request of requests.slice(1)) {
      expect(request.headers).toMatchObject({ Authorization: 'Bearer phone-token', 'X-Device-Id': 'phone-00000001' });
    }
    expect(requests[2].body).toEqual({ scanTicket: 'ticket-1' });
    expect(requests[3].body).toEqual({ scanTicket: 'ticket-2' });
    expect(client.credentials).toBeDefined();
  });

  it('types a user code, and treats a scanned device grant link as its code', async () => {
    client = new QrMobileClient({
      baseUrl: 'http://qr.test',
      fetch: async (url, init) => {
        requests.push({ method: init.method, url, headers: init.headers, body: init.body && JSON.parse(init.body) });
        return Response.json({ id: 'Ab3_-xYz0123456789AbCd', status: 'scanned' });
      },
      credentials: { accessToken: 'phone-token', deviceId: 'phone-00000001' },
    });
    await client.scanCode(' wdjb-mjht ');
    await client.scan('http://qr.test/device?user_code=WDJB-MJHT');
    expect(requests.map((request) => [`${request.method} ${request.url}`, request.body])).toEqual([
      ['POST http://qr.test/api/qr-sessions/scan-code', { userCode: 'wdjb-mjht' }],
      ['POST http://qr.test/api/qr-sessions/scan-code', { userCode: 'WDJB-MJHT' }],
    ]);
    expect(requests[0].headers).toMatchObject({ Authorization: 'Bearer phone-token', 'X-Device-Id': 'phone-00000001' });
  });

  it('forgets the credentials on logout, and when this very device is signed out', async () => {
    client = new QrMobileClient({
      baseUrl: 'http://qr.test',
      fetch: async () => new Response(null, { status: 204 }),
      credentials: { accessToken: 't', deviceId: 'phone-00000001' },
    });
    await client.logout();
    expect(client.credentials).toBeUndefined();
    client = new QrMobileClient({
      baseUrl: 'http://qr.test',
      fetch: async () => new Response(null, { status: 204 }),
      credentials: { accessToken: 't', deviceId: 'phone-00000001' },
    });
    await client.signOutDevice('phone-00000001');
    expect(client.credentials).toBeUndefined();
  });

  it('counts a token the server already revoked as logged out, but keeps it after a network failure', async () => {
    const revoked: FetchLike = async () => Response.json({ statusCode: 401, code: 'token_revoked', message: 'Revoked.' }, { status: 401 });
    client = new QrMobileClient({ baseUrl: 'http://qr.test', fetch: revoked, credentials: { accessToken: 't', deviceId: 'phone-00000001' } });
    await client.logout();
    expect(client.credentials).toBeUndefined();

    const offline: FetchLike = async () => Promise.reject(new TypeError('fetch failed'));
    client = new QrMobileClient({ baseUrl: 'http://qr.test', fetch: offline, credentials: { accessToken: 't', deviceId: 'phone-00000001' } });
    await expect(client.logout()).rejects.toMatchObject({ code: 'network_error' });
    expect(client.credentials).toEqual({ accessToken: 't', deviceId: 'phone-00000001' });
  });
});
