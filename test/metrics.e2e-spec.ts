import request from 'supertest';
import { DesktopSocket } from './support/desktop-socket';
import { createQrSession, scan, signUpAndLogin, uniqueName } from './support/factories';
import { heldLongPolls, startTestApp, type TestApp } from './support/test-app';
import { createTestDatabase, type TestDatabase } from './support/test-database';

/** The value of one sample of the Prometheus text, e.g. sample(text, 'qr_sessions_finished_total', {status: 'expired'}). */
function sample(text: string, name: string, labels: Record<string, string> = {}): number | undefined {
  for (const line of text.split('\n')) {
    if (line.startsWith('#')) continue;
    const match = /^([a-zA-Z_:][\w:]*)(?:\{(.*)\})? (\S+)$/.exec(line);
    if (!match || match[1] !== name) continue;
    const found = Object.fromEntries([...(match[2] ?? '').matchAll(/(\w+)="((?:[^"\\]|\\.)*)"/g)].map((m) => [m[1], m[2]]));
    if (Object.entries(labels).every(([key, value]) => found[key] === value)) return Number(match[3]);
  }
  return undefined;
}

async function scrape(app: TestApp): Promise<string> {
  const response = await app.http().get('/metrics').expect(200);
  return response.text;
}

describe('GET /metrics (contract §7)', () => {
  let db: TestDatabase;
  let app: TestApp;

  beforeAll(async () => {
    db = await createTestDatabase();
    app = await startTestApp({ QR_TTL_SECONDS: '2' }, db);
  });
  afterAll(async () => {
    await app?.close();
    await db?.drop();
  });

  it('answers the Prometheus text format with every named metric and the default process metrics', async () => {
    const response = await app.http().get('/metrics').expect(200);
    expect(response.headers['content-type']).toBe('text/plain; version=0.0.4; charset=utf-8');
    for (const name of [
      'qr_sessions_created_total',
      'qr_sessions_finished_total',
      'qr_push_delay_seconds',
      'qr_connected_sockets',
      'qr_waiting_long_polls',
      'http_request_duration_seconds',
      'rate_limited_total',
      'process_cpu_seconds_total',
      'process_resident_memory_bytes',
      'nodejs_eventloop_lag_seconds',
      'nodejs_heap_size_used_bytes',
    ]) {
      expect(response.text).toContain(`# TYPE ${name} `);
    }
    for (const status of ['confirmed', 'rejected', 'cancelled', 'expired']) {
      expect(sample(response.text, 'qr_sessions_finished_total', { status })).toEqual(expect.any(Number));
    }
  });

  it('counts sessions by outcome, sockets and long-polls, and the push delay to each', async () => {
    const before = await scrape(app);
    const phone = await signUpAndLogin(app);

    // Confirmed, watched over a socket.
    const confirmed = await createQrSession(app);
    const desktop = await DesktopSocket.connect(app.url, { qrId: confirmed.session.id, secret: confirmed.session.secret });
    try {
      await desktop.next('status');
      expect(sample(await scrape(app), 'qr_connected_sockets', { namespace: 'qr' })).toBe(1);
      const { scanTicket } = await scan(app, phone, confirmed.session.id);
      await app.http().post(`/api/qr-sessions/${confirmed.session.id}/confirm`).set(phone.headers).send({ scanTicket }).expect(200);
      await desktop.next('confirmed');
    } finally {
      desktop.close();
    }

    // Rejected, watched by a long-poll.
    const rejected = await createQrSession(app);
    const held = app
      .http()
      .get(`/api/qr-sessions/${rejected.session.id}?since=pending&wait=20`)
      .set('X-QR-Secret', rejected.session.secret)
      .then((response) => response);
    await heldLongPolls(app, 1);
    expect(sample(await scrape(app), 'qr_waiting_long_polls')).toBe(1);
    const ticket = (await scan(app, phone, rejected.session.id)).scanTicket;
    expect((await held).body.status).toBe('scanned');
    await app.http().post(`/api/qr-sessions/${rejected.session.id}/reject`).set(phone.headers).send({ scanTicket: ticket }).expect(200);

    // Cancelled by the desktop; expired by itself (QR_TTL_SECONDS=2).
    const cancelled = await createQrSession(app);
    await app.http().delete(`/api/qr-sessions/${cancelled.session.id}`).set('X-QR-Secret', cancelled.session.secret).expect(200);
    const expiring = await createQrSession(app);
    const watcher = await DesktopSocket.connect(app.url, { qrId: expiring.session.id, secret: expiring.session.secret });
    try {
      await watcher.next('expired');
    } finally {
      watcher.close();
    }

    const after = await scrape(app);
    const delta = (name: string, labels: Record<string, string> = {}) => (sample(after, name, labels) ?? 0) - (sample(before, name, labels) ?? 0);
    expect(delta('qr_sessions_created_total')).toBe(4);
    expect(delta('qr_sessions_finished_total', { status: 'confirmed' })).toBe(1);
    expect(delta('qr_sessions_finished_total', { status: 'rejected' })).toBe(1);
    expect(delta('qr_sessions_finished_total', { status: 'cancelled' })).toBe(1);
    expect(delta('qr_sessions_finished_total', { status: 'expired' })).toBe(1);
    // scanned + confirmed over the first socket, expired over the second; scanned answered to the long-poll.
    expect(delta('qr_push_delay_seconds_count', { transport: 'socket' })).toBe(3);
    expect(delta('qr_push_delay_seconds_count', { transport: 'long-poll' })).toBe(1);
    expect(sample(after, 'qr_push_delay_seconds_bucket', { transport: 'socket', le: '+Inf' })).toBeGreaterThanOrEqual(3);
    expect(sample(after, 'qr_waiting_long_polls')).toBe(0);
    expect(sample(after, 'qr_connected_sockets', { namespace: 'qr' })).toBe(0);
    expect(delta('http_request_duration_seconds_count', { method: 'POST', route: '/api/qr-sessions', status: '201' })).toBe(4);
    expect(delta('http_request_duration_seconds_count', { method: 'GET', route: '/api/qr-sessions/:id', status: '200' })).toBe(1);
    expect(delta('http_request_duration_seconds_count', { method: 'POST', route: '/api/qr-sessions/:id/confirm', status: '200' })).toBe(1);
  }, 30_000);

  it('labels requests no route matched as one series, whatever their path', async () => {
    await app
      .http()
      .get(`/api/no-such-${uniqueName('x')}`)
      .expect(404);
    await app
      .http()
      .get(`/api/no-such-${uniqueName('y')}`)
      .expect(404);
    const text = await scrape(app);
    expect(sample(text, 'http_request_duration_seconds_count', { method: 'GET', route: '(unmatched)', status: '404' })).toBeGreaterThanOrEqual(2);
    expect(text).not.toContain('no-such-');
  });

  it('counts rate-limit refusals by policy', async () => {
    const limited = await startTestApp({ RATE_LIMITS: 'on' }, db);
    try {
      let refused = 0;
      // login allows 30 attempts per address a minute: the 31st and 32nd are refused (each names another account, so
      // that the per-account lockout stays out of it).
      for (let i = 0; i < 32; i++) {
        const response = await limited
          .http()
          .post('/api/auth/login')
          .send({ username: uniqueName('nobody'), password: 'wrong password!', device: { id: uniqueName('ios'), type: 'ios' } });
        if (response.status === 429) refused++;
      }
      expect(refused).toBe(2);
      expect(sample(await scrape(limited), 'rate_limited_total', { policy: 'login' })).toBe(2);
    } finally {
      await limited.close();
    }
  }, 60_000);
});

describe('GET /metrics with METRICS_TOKEN', () => {
  let app: TestApp;
  const token = 'metrics-token-0123456789abcdef';

  beforeAll(async () => {
    app = await startTestApp({ METRICS_TOKEN: token });
  });
  afterAll(async () => app?.close());

  it('answers 401 unauthorized without the token or with another, and the metrics with it', async () => {
    for (const authorization of [undefined, 'Bearer not-the-token-0123456789', `Basic ${token}`]) {
      const call = request(app.url).get('/metrics');
      const response = await (authorization ? call.set('Authorization', authorization) : call);
      expect({ status: response.status, body: response.body }).toEqual({
        status: 401,
        body: { statusCode: 401, code: 'unauthorized', message: expect.any(String) },
      });
    }
    const response = await request(app.url).get('/metrics').set('Authorization', `Bearer ${token}`).expect(200);
    expect(response.text).toContain('# TYPE qr_sessions_created_total counter');
  });
});
