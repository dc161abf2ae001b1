import { QR_NAMESPACE } from '@app/contract';
import { RATE_LIMIT_POLICIES } from '@app/rate-limits';
import { createQrSession, signUpAndLogin } from '../support/factories';
import { connectSocket } from '../support/socket-client';
import { startTestApp, type TestApp } from '../support/test-app';

/**
 * Issue 8 items 2 and 8. Behind one proxy (TRUST_PROXY=1) the client address is the right-most X-Forwarded-For entry,
 * the one the proxy appended: what the client wrote itself further left never counts. Per-address limits key an IPv6
 * client on its /64.
 */
describe('the client address behind a proxy (TRUST_PROXY hops) and IPv6 /64 keys', () => {
  let app: TestApp;

  beforeAll(async () => {
    app = await startTestApp({ TRUST_PROXY: '1', RATE_LIMITS: 'on' });
  });
  afterAll(() => app.close());

  beforeEach(() => app.dataSource.query('DELETE FROM rate_limit_counters'));

  it('shows the phone the address the proxy saw, not the one the desktop wrote into X-Forwarded-For', async () => {
    const phone = await signUpAndLogin(app);
    const created = await app
      .http()
      .post('/api/qr-sessions?image=none')
      .set('X-Forwarded-For', '6.6.6.6, 203.0.113.9')
      .send({ device: { id: 'desk-forwarded-1', type: 'web' } })
      .expect(201);
    const scanned = await app.http().post(`/api/qr-sessions/${created.body.id}/scan`).set(phone.headers).expect(200);
    expect(scanned.body.requester.ip).toBe('203.0.113.9');
  });

  it('does not let a client escape a per-address limit by writing a new X-Forwarded-For entry each time', async () => {
    const statuses: number[] = [];
    for (let i = 0; i <= RATE_LIMIT_POLICIES.createQr.limit; i++) {
      const response = await app
        .http()
        .post('/api/qr-sessions?image=none')
        .set('X-Forwarded-For', `10.66.${i}.1, 203.0.113.10`)
        .send({ device: { id: `desk-rotating-${i}`, type: 'pc' } });
      statuses.push(response.status);
    }
    expect(statuses.at(-1)).toBe(429);
  });

  it('reads socket handshakes by the same rule: rotating the written entry does not escape the handshake limit', async () => {
    const { session } = await createQrSession(app);
    let refused: Error | undefined;
    for (let i = 0; i <= RATE_LIMIT_POLICIES.socketHandshake.limit && !refused; i++) {
      try {
        (
          await connectSocket(app.url, QR_NAMESPACE, {
            auth: { qrId: session.id, secret: 'wrong-secret-guess' },
            headers: { 'X-Forwarded-For': `10.77.${i}.1, 203.0.113.11` },
          })
        ).close();
      } catch (error) {
        if ((error as Error).message === 'rate_limited') refused = error as Error;
        else expect((error as Error).message).toBe('qr_secret_invalid');
      }
    }
    expect(refused?.message).toBe('rate_limited');
  });

  it('counts every address of one IPv6 /64 together', async () => {
    const statuses: number[] = [];
    for (let i = 0; i <= RATE_LIMIT_POLICIES.createQr.limit; i++) {
      const response = await app
        .http()
        .post('/api/qr-sessions?image=none')
        .set('X-Forwarded-For', `2001:db8:1:2::${(i + 1).toString(16)}`)
        .send({ device: { id: `desk-ipv6-${i}`, type: 'pc' } });
      statuses.push(response.status);
    }
    expect(statuses.at(-1)).toBe(429);
    // Another /64 has its own budget.
    await app
      .http()
      .post('/api/qr-sessions?image=none')
      .set('X-Forwarded-For', '2001:db8:1:3::1')
      .send({ device: { id: 'desk-ipv6-other', type: 'pc' } })
      .expect(201);
  });
});
