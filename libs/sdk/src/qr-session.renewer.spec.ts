import { jest } from '@jest/globals';
import type { CreatedQrSession } from '@app/contract';
import { QrDesktopClient } from './desktop.client';
import type { FreshQrOptions, FreshQrSession } from './qr-session.renewer';
import { FakeQrServer } from './testing/fake-qr-server';
import { FakeQrSocketFactory } from './testing/fake-qr-socket';

describe('FreshQrSession (renewal on expiry)', () => {
  let server: FakeQrServer;
  let sockets: FakeQrSocketFactory;
  let desktop: QrDesktopClient;
  const fresh: FreshQrSession[] = [];

  beforeEach(() => {
    server = new FakeQrServer();
    sockets = new FakeQrSocketFactory();
    desktop = new QrDesktopClient({ baseUrl: 'http://qr.test', fetch: server.fetch, socketFactory: sockets.create });
  });
  afterEach(() => fresh.splice(0).forEach((handle) => handle.stop()));

  /** Starts keepFresh and hands out each session it shows, as it shows it. */
  function keepFresh(options: Partial<FreshQrOptions> = {}) {
    const shown: CreatedQrSession[] = [];
    let notify: (() => void) | undefined;
    const handle = desktop.keepFresh({
      device: { id: 'desktop-0001', type: 'web', name: 'Browser' },
      image: 'none',
      transport: 'longpoll',
      ...options,
      onSession: (session, renewal) => {
        expect(renewal).toBe(shown.length);
        shown.push(session);
        notify?.();
      },
    });
    fresh.push(handle);
    const nth = (count: number) =>
      new Promise<CreatedQrSession>((resolve) => {
        if (shown.length >= count) return resolve(shown[count - 1]);
        notify = () => shown.length >= count && resolve(shown[count - 1]);
      });
    return { handle, shown, nth };
  }

  it('shows a new session when the current one expires, and ends with the login of the one confirmed', async () => {
    const { handle, shown, nth } = keepFresh();
    const first = await nth(1);
    await server.untilHeld();
    server.setStatus(first.id, 'expired');

    const second = await nth(2);
    expect(second.id).not.toBe(first.id);
    expect(handle.session).toBe(second);
    await server.untilHeld();
    server.setStatus(second.id, 'scanned');
    await server.untilHeld();
    server.setStatus(second.id, 'confirmed');

    const outcome = await handle.done;
    expect(outcome).toMatchObject({
      reason: 'completed',
      session: second,
      snapshot: { status: 'confirmed', login: { accessToken: 'desktop-token' } },
    });
    expect(shown).toHaveLength(2);
    const creations = server.requests.filter((request) => request.method === 'POST');
    expect(creations).toHaveLength(2);
    expect(creations[0]).toMatchObject({ query: { image: 'none' }, body: { device: { id: 'desktop-0001', type: 'web', name: 'Browser' } } });
  });

  it('renews over the WebSocket too, with a socket per session', async () => {
    const { handle, nth } = keepFresh({ transport: 'auto' });
    const first = await nth(1);
    sockets.last.emit('connect');
    sockets.last.emit('expired', server.setStatus(first.id, 'expired'));
    const second = await nth(2);
    expect(sockets.sockets).toHaveLength(2);
    expect(sockets.sockets[0].closed).toBe(true);
    expect(sockets.last.options.auth).toEqual({ qrId: second.id, secret: second.secret });
    handle.stop();
    expect(sockets.last.closed).toBe(true);
    expect(await handle.done).toEqual({ reason: 'stopped' });
  });

  it('does not renew a rejected session unless asked to', async () => {
    const { handle, nth } = keepFresh();
    const first = await nth(1);
    await server.untilHeld();
    server.setStatus(first.id, 'scanned');
    await server.untilHeld();
    server.setStatus(first.id, 'rejected');
    expect(await handle.done).toMatchObject({ reason: 'completed', snapshot: { status: 'rejected' } });

    const renewing = keepFresh({ renewOn: ['expired', 'rejected'] });
    const again = await renewing.nth(1);
    await server.untilHeld();
    server.setStatus(again.id, 'rejected');
    await renewing.nth(2);
  });

  it('stops renewing after maxRenewals', async () => {
    const { handle, shown, nth } = keepFresh({ maxRenewals: 1 });
    server.setStatus((await nth(1)).id, 'expired');
    server.setStatus((await nth(2)).id, 'expired');
    expect(await handle.done).toMatchObject({ reason: 'completed', snapshot: { status: 'expired' } });
    expect(shown).toHaveLength(2);
  });

  function creations() {
    return server.requests.filter((request) => request.method === 'POST');
  }

  it('retries a creation that failed for the time being (429 with Retry-After, 503, 502, no answer), then shows the session', async () => {
    const errors: string[] = [];
    const { handle, nth } = keepFresh({ retryDelayMs: 1, onError: (error) => errors.push(error.code) });
    const first = await nth(1);
    await server.untilHeld();
    server.failNext(
      { kind: 'status', status: 429, code: 'rate_limited', retryAfter: 0 },
      { kind: 'status', status: 503, code: 'service_unavailable' },
      { kind: 'status', status: 502 },
      { kind: 'network' },
    );
    server.setStatus(first.id, 'expired');
    const second = await nth(2);
    expect(second.id).not.toBe(first.id);
    expect(creations()).toHaveLength(6);
    expect(errors).toEqual([]);
    handle.stop();
    expect(await handle.done).toEqual({ reason: 'stopped' });
  });

  it('retries the very first creation too', async () => {
    server.failNext({ kind: 'network' }, { kind: 'status', status: 503, code: 'service_unavailable' });
    const { nth } = keepFresh({ retryDelayMs: 1 });
    await nth(1);
    expect(creations()).toHaveLength(3);
  });

  it('waits for Retry-After before creating again', async () => {
    jest.useFakeTimers({ doNotFake: ['nextTick', 'queueMicrotask', 'setImmediate'] });
    try {
      server.failNext({ kind: 'status', status: 429, code: 'rate_limited', retryAfter: 30 });
      const { shown } = keepFresh();
      await jest.advanceTimersByTimeAsync(29_000);
      expect(creations()).toHaveLength(1);
      expect(shown).toHaveLength(0);
      await jest.advanceTimersByTimeAsync(1_000);
      expect(creations()).toHaveLength(2);
      expect(shown).toHaveLength(1);
    } finally {
      jest.useRealTimers();
    }
  });

  it('ends with the error when retries run out', async () => {
    const errors: string[] = [];
    server.failNext(...Array.from({ length: 3 }, () => ({ kind: 'status', status: 503, code: 'service_unavailable' }) as const));
    const { handle, shown } = keepFresh({ retryDelayMs: 1, maxConsecutiveFailures: 3, onError: (error) => errors.push(error.code) });
    expect(await handle.done).toMatchObject({ reason: 'failed', error: { code: 'service_unavailable', statusCode: 503 } });
    expect(errors).toEqual(['service_unavailable']);
    expect(creations()).toHaveLength(3);
    expect(shown).toHaveLength(0);
  });

  it('ends at once with a failure that retrying cannot change', async () => {
    const errors: string[] = [];
    server.failNext({ kind: 'status', status: 400, code: 'validation_failed' });
    const { handle } = keepFresh({ retryDelayMs: 1, onError: (error) => errors.push(error.code) });
    expect(await handle.done).toMatchObject({ reason: 'failed', error: { code: 'validation_failed' } });
    expect(errors).toEqual(['validation_failed']);
    expect(creations()).toHaveLength(1);
  });

  it('stop() during a retry pause ends at once and clears the pause', async () => {
    jest.useFakeTimers({ doNotFake: ['nextTick', 'queueMicrotask', 'setImmediate'] });
    try {
      server.failNext({ kind: 'network' });
      const { handle } = keepFresh({ retryDelayMs: 60_000 });
      await jest.advanceTimersByTimeAsync(10);
      expect(creations()).toHaveLength(1);
      expect(jest.getTimerCount()).toBe(1);
      handle.stop();
      expect(jest.getTimerCount()).toBe(0);
      expect(await handle.done).toEqual({ reason: 'stopped' });
      await jest.advanceTimersByTimeAsync(120_000);
      expect(creations()).toHaveLength(1);
    } finally {
      jest.useRealTimers();
    }
  });

  it('stop() during the watch stops it and creates nothing more', async () => {
    const { handle, nth } = keepFresh();
    const first = await nth(1);
    await server.untilHeld();
    handle.stop();
    expect(await handle.done).toEqual({ reason: 'stopped' });
    expect(server.heldPolls).toBe(0);
    server.setStatus(first.id, 'expired');
    await new Promise((resolve) => setImmediate(resolve));
    expect(server.requests.filter((request) => request.method === 'POST')).toHaveLength(1);
  });

  it('stop() from onSession, before the watch began, still stops it', async () => {
    const handle: FreshQrSession = desktop.keepFresh({
      device: { id: 'desktop-0001', type: 'pc' },
      transport: 'longpoll',
      onSession: () => handle.stop(),
    });
    expect(await handle.done).toEqual({ reason: 'stopped' });
    expect(handle.watch).toBeDefined();
    expect(await handle.watch!.done).toEqual({ reason: 'stopped' });
  });
});
