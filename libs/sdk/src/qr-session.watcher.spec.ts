import { jest } from '@jest/globals';
import { QrDesktopClient } from './desktop.client';
import { QrClientError } from './qr-client.error';
import type { QrWatch, QrWatchOptions } from './qr-session.watcher';
import { FakeQrServer } from './testing/fake-qr-server';
import { FakeQrSocketFactory } from './testing/fake-qr-socket';
import { WatchRecorder } from './testing/watch-recorder';

describe('QrSessionWatcher', () => {
  let server: FakeQrServer;
  let sockets: FakeQrSocketFactory;
  let desktop: QrDesktopClient;
  let recorder: WatchRecorder;
  const handles: QrWatch[] = [];

  afterEach(() => handles.splice(0).forEach((handle) => handle.stop()));

  beforeEach(() => {
    server = new FakeQrServer();
    sockets = new FakeQrSocketFactory();
    desktop = new QrDesktopClient({ baseUrl: 'http://qr.test', fetch: server.fetch, socketFactory: sockets.create });
    recorder = new WatchRecorder();
  });

  function watch(options: QrWatchOptions = {}) {
    const session = server.addSession();
    const handle = desktop.watch(session, { ...recorder.callbacks, ...options });
    handles.push(handle);
    return { session, handle };
  }

  function longPolls(id: string) {
    return server.requests.filter((request) => request.method === 'GET' && request.path === `/api/qr-sessions/${id}`);
  }

  describe('over the WebSocket', () => {
    it('opens one socket to the /qr namespace with the session id and secret, WebSocket transport only', () => {
      const { session } = watch();
      expect(sockets.sockets).toHaveLength(1);
      expect(sockets.last.url).toBe('http://qr.test/qr');
      expect(sockets.last.options).toMatchObject({
        path: '/socket.io',
        auth: { qrId: session.id, secret: session.secret },
        transports: ['websocket'],
        forceNew: true,
      });
    });

    it('keeps a path prefix of baseUrl out of the namespace and in the socket.io path', () => {
      desktop = new QrDesktopClient({ baseUrl: 'https://example.com/login/', fetch: server.fetch, socketFactory: sockets.create });
      watch();
      expect(sockets.last.url).toBe('https://example.com/qr');
      expect(sockets.last.options.path).toBe('/login/socket.io');
    });

    it('delivers status, scanned and confirmed as they come, then ends with the login and closes the socket', async () => {
      const { session, handle } = watch();
      const socket = sockets.last;
      socket.emit('connect');
      expect(handle.transport).toBe('websocket');
      socket.emit('status', server.snapshotOf(session.id));
      socket.emit('scanned', server.setStatus(session.id, 'scanned'));
      socket.emit('confirmed', server.setStatus(session.id, 'confirmed'));

      expect(recorder.types()).toEqual(['status', 'scanned', 'confirmed']);
      expect(recorder.events.every((event) => event.transport === 'websocket')).toBe(true);
      expect(recorder.events[1].snapshot.scannedBy).toEqual({ displayName: 'Alice', username: 'alice' });
      const outcome = await handle.done;
      expect(outcome).toEqual({ reason: 'completed', snapshot: expect.objectContaining({ status: 'confirmed' }) });
      expect(outcome.reason === 'completed' && outcome.snapshot.login?.accessToken).toBe('desktop-token');
      expect(socket.closed).toBe(true);
      expect(server.requests).toEqual([]);
      expect(recorder.transports).toEqual([{ transport: 'websocket', reason: expect.any(String) }]);
    });

    it('never reports a status older than one already reported', () => {
      const { session } = watch();
      const socket = sockets.last;
      socket.emit('connect');
      const pending = server.snapshotOf(session.id);
      socket.emit('scanned', server.setStatus(session.id, 'scanned'));
      // A `status` read before the scan but sent after its push: stale.
      socket.emit('status', pending);
      socket.emit('status', server.snapshotOf(session.id));
      expect(recorder.events.map((event) => `${event.type}:${event.snapshot.status}`)).toEqual(['scanned:scanned', 'status:scanned']);
    });

    it('ends at a final status carried by the first status, e.g. a session that already expired', async () => {
      const { session, handle } = watch();
      sockets.last.emit('connect');
      sockets.last.emit('status', server.setStatus(session.id, 'expired'));
      expect(await handle.done).toEqual({ reason: 'completed', snapshot: expect.objectContaining({ status: 'expired' }) });
      expect(recorder.types()).toEqual(['status']);
    });
  });

  describe('falling back to long-poll', () => {
    it('long-polls when the WebSocket transport fails, and delivers the events in order', async () => {
      const { session, handle } = watch();
      const socket = sockets.last;
      socket.emit('connect_error', new Error('websocket error'));
      expect(socket.closed).toBe(true);
      expect(handle.transport).toBe('longpoll');
      expect(recorder.transports).toEqual([{ transport: 'longpoll', reason: expect.stringContaining('websocket error') }]);

      await recorder.until(1);
      await server.untilHeld();
      server.setStatus(session.id, 'scanned');
      await recorder.until(2);
      await server.untilHeld();
      server.setStatus(session.id, 'confirmed');
      const outcome = await handle.done;

      expect(recorder.types()).toEqual(['status', 'scanned', 'confirmed']);
      expect(recorder.events.map((event) => event.snapshot.status)).toEqual(['pending', 'scanned', 'confirmed']);
      expect(recorder.events.every((event) => event.transport === 'longpoll')).toBe(true);
      expect(outcome).toMatchObject({ reason: 'completed', snapshot: { status: 'confirmed', login: { accessToken: 'desktop-token' } } });
      // First a plain read, then one long-poll per status, each with the secret in a header and never in the URL.
      expect(longPolls(session.id).map((request) => request.query)).toEqual([{}, { since: 'pending', wait: '25' }, { since: 'scanned', wait: '25' }]);
      for (const request of longPolls(session.id)) expect(request.headers['X-QR-Secret']).toBe(session.secret);
      expect(JSON.stringify(server.requests.map((request) => request.query))).not.toContain(session.secret);
    });

    it('long-polls when the WebSocket does not connect in time', async () => {
      const { session, handle } = watch({ connectTimeoutMs: 20 });
      const socket = sockets.last;
      await recorder.until(1);
      expect(socket.closed).toBe(true);
      expect(handle.transport).toBe('longpoll');
      expect(recorder.transports[0].reason).toContain('no WebSocket connection within 20 ms');

      // The abandoned socket connecting late changes nothing.
      socket.emit('connect');
      socket.emit('status', server.snapshotOf(session.id));
      expect(handle.transport).toBe('longpoll');
      await server.untilHeld();
      server.setStatus(session.id, 'rejected');
      expect(await handle.done).toMatchObject({ reason: 'completed', snapshot: { status: 'rejected' } });
      expect(recorder.events.map((event) => [event.type, event.transport])).toEqual([
        ['status', 'longpoll'],
        ['rejected', 'longpoll'],
      ]);
    });

    it('long-polls when the server closes a connected socket, and goes on from the status it reports', async () => {
      const { session, handle } = watch();
      const socket = sockets.last;
      socket.emit('connect');
      socket.emit('status', server.snapshotOf(session.id));
      server.setStatus(session.id, 'scanned');
      socket.emit('disconnect', 'io server disconnect');
      expect(socket.closed).toBe(true);
      await recorder.until(2);
      expect(recorder.events.map((event) => [event.type, event.snapshot.status, event.transport])).toEqual([
        ['status', 'pending', 'websocket'],
        ['status', 'scanned', 'longpoll'],
      ]);
      handle.stop();
    });

    it('lets socket.io reconnect by itself after a lost connection (no fallback)', () => {
      const { handle } = watch();
      sockets.last.emit('connect');
      sockets.last.emit('disconnect', 'transport close');
      expect(sockets.last.closed).toBe(false);
      expect(handle.transport).toBe('websocket');
      expect(server.requests).toEqual([]);
      handle.stop();
    });
  });

  describe('a refusal on the socket', () => {
    it.each([
      ['qr_secret_invalid', 403],
      ['qr_not_found', 404],
      ['validation_failed', 400],
    ] as const)('reports %s (%i) and does not fall back to long-poll', async (code, statusCode) => {
      const { handle } = watch();
      sockets.last.refuse(code, 'said the server');
      const outcome = await handle.done;
      expect(outcome).toEqual({ reason: 'failed', error: expect.any(QrClientError) });
      expect(outcome.reason === 'failed' && outcome.error.toJSON()).toEqual({ statusCode, code, message: 'said the server' });
      expect(recorder.errors.map((error) => error.code)).toEqual([code]);
      expect(sockets.last.closed).toBe(true);
      expect(server.requests).toEqual([]);
      expect(handle.transport).toBeUndefined();
    });

    it.each(['rate_limited', 'service_unavailable', 'internal_error'] as const)(
      'falls back to long-poll on %s, a refusal of the moment, and goes on to the end',
      async (code) => {
        const { session, handle } = watch();
        const socket = sockets.last;
        socket.refuse(code, 'try again later');
        expect(socket.closed).toBe(true);
        expect(handle.transport).toBe('longpoll');
        expect(recorder.transports).toEqual([{ transport: 'longpoll', reason: expect.stringContaining(code) }]);
        await recorder.until(1);
        await server.untilHeld();
        server.setStatus(session.id, 'confirmed');
        expect(await handle.done).toMatchObject({ reason: 'completed', snapshot: { status: 'confirmed' } });
        expect(recorder.errors).toEqual([]);
        expect(recorder.types()).toEqual(['status', 'confirmed']);
        expect(longPolls(session.id).length).toBeGreaterThanOrEqual(2);
      },
    );

    it("'websocket' opens a new socket after a pause on a refusal of the moment, and gives up when retries run out", async () => {
      const { handle } = watch({ transport: 'websocket', retryDelayMs: 1, maxConsecutiveFailures: 3 });
      sockets.last.refuse('service_unavailable', 'database down');
      expect(sockets.last.closed).toBe(true);
      await new Promise((resolve) => setTimeout(resolve, 20));
      expect(sockets.sockets).toHaveLength(2);
      expect(sockets.last.closed).toBe(false);
      // A connection resets the count; two more refusals in a row are still within the budget of three.
      sockets.last.emit('connect');
      sockets.last.refuse('rate_limited', 'slow down');
      await new Promise((resolve) => setTimeout(resolve, 20));
      sockets.last.refuse('rate_limited', 'slow down');
      await new Promise((resolve) => setTimeout(resolve, 20));
      expect(sockets.sockets).toHaveLength(4);
      expect(recorder.errors).toEqual([]);
      sockets.last.refuse('service_unavailable', 'still down');
      expect(await handle.done).toMatchObject({ reason: 'failed', error: { code: 'service_unavailable', statusCode: 503 } });
      expect(sockets.sockets).toHaveLength(4);
      expect(server.requests).toEqual([]);
    });
  });

  describe('forced transports', () => {
    it("'longpoll' opens no socket at all", async () => {
      const { session, handle } = watch({ transport: 'longpoll' });
      expect(sockets.sockets).toEqual([]);
      expect(handle.transport).toBe('longpoll');
      await server.untilHeld();
      server.setStatus(session.id, 'scanned');
      await recorder.until(2);
      await server.untilHeld();
      server.setStatus(session.id, 'cancelled');
      expect(await handle.done).toMatchObject({ reason: 'completed', snapshot: { status: 'cancelled' } });
      expect(recorder.types()).toEqual(['status', 'scanned', 'cancelled']);
    });

    it("'websocket' reports a transport failure instead of falling back", async () => {
      const { handle } = watch({ transport: 'websocket' });
      sockets.last.emit('connect_error', new Error('websocket error'));
      const outcome = await handle.done;
      expect(outcome).toMatchObject({ reason: 'failed', error: { code: 'network_error', statusCode: 0 } });
      expect(server.requests).toEqual([]);
    });

    it("'websocket' keeps reconnecting after a first connection rather than failing", () => {
      const { handle } = watch({ transport: 'websocket' });
      sockets.last.emit('connect');
      sockets.last.emit('disconnect', 'transport close');
      sockets.last.emit('connect_error', new Error('websocket error'));
      expect(sockets.last.closed).toBe(false);
      expect(recorder.errors).toEqual([]);
      handle.stop();
    });
  });

  describe('long-poll failures', () => {
    it('retries after no answer or a 503, then goes on', async () => {
      server.failNext({ kind: 'network' }, { kind: 'status', status: 503, code: 'service_unavailable' });
      const { session, handle } = watch({ transport: 'longpoll', retryDelayMs: 1 });
      await recorder.until(1);
      expect(recorder.events[0]).toMatchObject({ type: 'status', snapshot: { status: 'pending' } });
      await server.untilHeld();
      server.setStatus(session.id, 'confirmed');
      expect(await handle.done).toMatchObject({ reason: 'completed' });
      expect(longPolls(session.id)).toHaveLength(4);
    });

    it('rides out a server restart of a minute or two by default: capped backoff, no give-up after five failures', async () => {
      jest.useFakeTimers({ doNotFake: ['nextTick', 'queueMicrotask', 'setImmediate'] });
      try {
        server.failNext(...Array.from({ length: 12 }, () => ({ kind: 'network' }) as const));
        const { handle } = watch({ transport: 'longpoll' });
        // Pauses of 1, 2, 4, 8, then 15 s (the cap): the 13th attempt comes 135 s after the first.
        await jest.advanceTimersByTimeAsync(134_000);
        expect(server.requests).toHaveLength(12);
        expect(recorder.errors).toEqual([]);
        await jest.advanceTimersByTimeAsync(1_000);
        // The 13th read answers; the long-poll that follows it is held.
        expect(server.requests.map((request) => request.query.since ?? 'read')).toEqual([...Array(13).fill('read'), 'pending']);
        expect(recorder.types()).toEqual(['status']);
        handle.stop();
        expect(await handle.done).toEqual({ reason: 'stopped' });
      } finally {
        jest.useRealTimers();
      }
    });

    it('gives up once failures have gone on for maxRetryDurationMs', async () => {
      jest.useFakeTimers({ doNotFake: ['nextTick', 'queueMicrotask', 'setImmediate'] });
      try {
        server.failNext(...Array.from({ length: 20 }, () => ({ kind: 'status', status: 503, code: 'service_unavailable' }) as const));
        const { handle } = watch({ transport: 'longpoll', maxRetryDurationMs: 10_000 });
        await jest.advanceTimersByTimeAsync(20_000);
        // Failures at 0, 1, 3, 7 and 15 s: the last one is past the 10 s budget.
        expect(await handle.done).toMatchObject({ reason: 'failed', error: { code: 'service_unavailable' } });
        expect(server.requests).toHaveLength(5);
        expect(jest.getTimerCount()).toBe(0);
      } finally {
        jest.useRealTimers();
      }
    });

    it('honours Retry-After of a 429 before the next long-poll', async () => {
      jest.useFakeTimers({ doNotFake: ['nextTick', 'queueMicrotask', 'setImmediate'] });
      try {
        server.failNext({ kind: 'status', status: 429, code: 'rate_limited', retryAfter: 40 });
        const { handle } = watch({ transport: 'longpoll' });
        await jest.advanceTimersByTimeAsync(39_000);
        expect(server.requests).toHaveLength(1);
        await jest.advanceTimersByTimeAsync(1_000);
        expect(server.requests.map((request) => request.query.since ?? 'read')).toEqual(['read', 'read', 'pending']);
        expect(recorder.types()).toEqual(['status']);
        handle.stop();
      } finally {
        jest.useRealTimers();
      }
    });

    it('gives up after maxConsecutiveFailures', async () => {
      server.failNext({ kind: 'network' }, { kind: 'status', status: 502 }, { kind: 'network' });
      const { handle } = watch({ transport: 'longpoll', retryDelayMs: 1, maxConsecutiveFailures: 3 });
      expect(await handle.done).toMatchObject({ reason: 'failed', error: { code: 'network_error' } });
      expect(recorder.events).toEqual([]);
    });

    it('stops at once on an answer that retrying cannot change', async () => {
      const session = server.addSession();
      const handle = desktop.watch({ id: session.id, secret: 'not-the-secret' }, { ...recorder.callbacks, transport: 'longpoll' });
      handles.push(handle);
      expect(await handle.done).toMatchObject({ reason: 'failed', error: { code: 'qr_secret_invalid', statusCode: 403 } });
      expect(server.requests).toHaveLength(1);
    });
  });

  describe('stop()', () => {
    it('closes a connecting socket and leaves no timer behind', async () => {
      jest.useFakeTimers({ doNotFake: ['nextTick', 'queueMicrotask', 'setImmediate'] });
      try {
        const { handle } = watch();
        expect(jest.getTimerCount()).toBe(1);
        handle.stop();
        expect(jest.getTimerCount()).toBe(0);
        expect(sockets.last.closed).toBe(true);
        expect(await handle.done).toEqual({ reason: 'stopped' });
        // Nothing fires later: no fallback, no request.
        jest.advanceTimersByTime(60_000);
        expect(server.requests).toEqual([]);
      } finally {
        jest.useRealTimers();
      }
    });

    it('aborts a held long-poll and sends nothing more', async () => {
      const { session, handle } = watch({ transport: 'longpoll' });
      await server.untilHeld();
      const held = longPolls(session.id).at(-1)!;
      handle.stop();
      expect(held.signal?.aborted).toBe(true);
      expect(await handle.done).toEqual({ reason: 'stopped' });
      expect(server.heldPolls).toBe(0);
      const sent = server.requests.length;
      server.setStatus(session.id, 'scanned');
      await new Promise((resolve) => setImmediate(resolve));
      expect(server.requests).toHaveLength(sent);
      expect(recorder.types()).toEqual(['status']);
    });

    it('cuts a retry pause short and clears its timer', async () => {
      jest.useFakeTimers({ doNotFake: ['nextTick', 'queueMicrotask', 'setImmediate'] });
      try {
        server.failNext({ kind: 'network' });
        const { handle } = watch({ transport: 'longpoll', retryDelayMs: 30_000 });
        // One macrotask turn lets the failed request settle: its guard timer is gone, the pause timer is set.
        await new Promise((resolve) => setImmediate(resolve));
        expect(server.requests).toHaveLength(1);
        expect(jest.getTimerCount()).toBe(1);
        handle.stop();
        expect(jest.getTimerCount()).toBe(0);
        expect(await handle.done).toEqual({ reason: 'stopped' });
        expect(server.requests).toHaveLength(1);
      } finally {
        jest.useRealTimers();
      }
    });

    it('is safe to call twice and after the end', async () => {
      const { session, handle } = watch();
      sockets.last.emit('connect');
      sockets.last.emit('status', server.setStatus(session.id, 'cancelled'));
      handle.stop();
      handle.stop();
      expect(await handle.done).toMatchObject({ reason: 'completed' });
    });
  });

  it('refuses options outside the contract', () => {
    const session = server.addSession();
    expect(() => desktop.watch(session, { pollWaitSeconds: 31 })).toThrow(RangeError);
    expect(() => desktop.watch(session, { transport: 'carrier-pigeon' as never })).toThrow(RangeError);
    expect(() => desktop.watch(session, { maxRetryDurationMs: 0 })).toThrow(RangeError);
  });
});
