import type { CreatedQrSession, ErrorCode, LoginResult, QrSessionSnapshot, QrStatus } from '@app/contract';
import type { FetchLike } from '../http-client';

export interface RecordedRequest {
  method: string;
  path: string;
  query: Record<string, string>;
  headers: Record<string, string>;
  body?: unknown;
  signal?: AbortSignal;
}

interface HeldPoll {
  id: string;
  since: string;
  answer: () => void;
}

type Failure = { kind: 'network' } | { kind: 'status'; status: number; code?: ErrorCode; retryAfter?: number };

const LOGIN: LoginResult = {
  accessToken: 'desktop-token',
  tokenType: 'Bearer',
  expiresAt: '2030-01-01T00:00:00.000Z',
  account: { id: 'account-1', username: 'alice', displayName: 'Alice' },
  device: { id: 'desktop-0001', type: 'web', name: 'Browser' },
};

/**
 * The QR session endpoints of the contract, in memory and behind a fake `fetch`: create, read, long-poll (held until
 * the status differs from `since`, or the request is aborted) and cancel. Tests move sessions with `setStatus` and
 * script failures with `failNext`.
 */
export class FakeQrServer {
  readonly requests: RecordedRequest[] = [];
  private readonly sessions = new Map<string, { secret: string; snapshot: QrSessionSnapshot }>();
  private readonly held = new Set<HeldPoll>();
  private readonly failures: Failure[] = [];
  private heldWaiters: Array<{ count: number; resolve: () => void }> = [];
  private created = 0;

  readonly fetch: FetchLike = async (url, init) => {
    const parsed = new URL(url);
    const request: RecordedRequest = {
      method: init.method,
      path: parsed.pathname,
      query: Object.fromEntries(parsed.searchParams),
      headers: init.headers,
      body: init.body === undefined ? undefined : JSON.parse(init.body),
      signal: init.signal,
    };
    this.requests.push(request);
    if (init.signal?.aborted) throw abortError();
    const failure = this.failures.shift();
    if (failure?.kind === 'network') throw new TypeError('fetch failed');
    if (failure?.kind === 'status') {
      const headers: Record<string, string> = failure.retryAfter === undefined ? {} : { 'Retry-After': String(failure.retryAfter) };
      if (!failure.code) return new Response('<html>Bad gateway</html>', { status: failure.status, headers });
      return json(failure.status, { statusCode: failure.status, code: failure.code, message: `scripted ${failure.code}` }, headers);
    }
    return this.route(request);
  };

  /** A pending session as `POST /api/qr-sessions` would make it. */
  addSession(): CreatedQrSession {
    this.created += 1;
    const id = `session-${this.created}`;
    const snapshot: QrSessionSnapshot = { id, status: 'pending', expiresAt: new Date(Date.now() + 120_000).toISOString() };
    this.sessions.set(id, { secret: `secret-${this.created}`, snapshot });
    return { id, secret: `secret-${this.created}`, status: 'pending', expiresAt: snapshot.expiresAt, qrContent: `http://qr.test/q/${id}` };
  }

  /** Moves a session on, as a scan, a confirmation, an expiry... would; held long-polls answer. */
  setStatus(id: string, status: QrStatus): QrSessionSnapshot {
    const session = this.sessions.get(id);
    if (!session) throw new Error(`no session ${id}`);
    const snapshot: QrSessionSnapshot = { id, status, expiresAt: session.snapshot.expiresAt };
    if (status !== 'pending')
      Object.assign(snapshot, { scannedAt: new Date().toISOString(), scannedBy: { displayName: 'Alice', username: 'alice' } });
    if (status === 'confirmed') snapshot.login = LOGIN;
    session.snapshot = snapshot;
    for (const poll of [...this.held]) if (poll.id === id && poll.since !== status) poll.answer();
    return snapshot;
  }

  snapshotOf(id: string): QrSessionSnapshot {
    const session = this.sessions.get(id);
    if (!session) throw new Error(`no session ${id}`);
    return session.snapshot;
  }

  /** The next requests fail, in order: no answer at all, or an error status (with a contract body when `code` is set). */
  failNext(...failures: Failure[]): void {
    this.failures.push(...failures);
  }

  /** Long-polls held open right now. */
  get heldPolls(): number {
    return this.held.size;
  }

  /** Resolves once a long-poll is held open (the watcher is waiting for a change). */
  untilHeld(count = 1): Promise<void> {
    if (this.held.size >= count) return Promise.resolve();
    return new Promise((resolve) => this.heldWaiters.push({ count, resolve }));
  }

  private async route(request: RecordedRequest): Promise<Response> {
    const match = /^\/api\/qr-sessions(?:\/([^/]+))?$/.exec(request.path);
    if (!match) return json(404, { statusCode: 404, code: 'not_found', message: 'No such route.' });
    const [, id] = match;
    if (id === undefined && request.method === 'POST') {
      const created = this.addSession();
      return json(201, request.query.image === 'none' ? created : { ...created, qrImage: 'data:image/svg+xml;base64,PHN2Zy8+' });
    }
    const session = id === undefined ? undefined : this.sessions.get(decodeURIComponent(id));
    if (!session) return json(404, { statusCode: 404, code: 'qr_not_found', message: 'No such QR session.' });
    if (request.headers['X-QR-Secret'] !== session.secret) {
      return json(403, { statusCode: 403, code: 'qr_secret_invalid', message: 'Wrong secret.' });
    }
    if (request.method === 'DELETE') return json(200, this.setStatus(session.snapshot.id, 'cancelled'));
    const { since, wait } = request.query;
    if (since !== undefined && wait !== undefined && Number(wait) > 0 && session.snapshot.status === since) {
      await this.hold(session.snapshot.id, since, request.signal);
    }
    return json(200, session.snapshot);
  }

  private hold(id: string, since: string, signal: AbortSignal | undefined): Promise<void> {
    return new Promise((resolve, reject) => {
      const poll: HeldPoll = {
        id,
        since,
        answer: () => {
          this.held.delete(poll);
          resolve();
        },
      };
      this.held.add(poll);
      const ready = this.heldWaiters.filter((waiter) => this.held.size >= waiter.count);
      this.heldWaiters = this.heldWaiters.filter((waiter) => !ready.includes(waiter));
      ready.forEach((waiter) => waiter.resolve());
      signal?.addEventListener('abort', () => {
        this.held.delete(poll);
        reject(abortError());
      });
    });
  }
}

function json(status: number, body: unknown, headers: Record<string, string> = {}): Response {
  return new Response(JSON.stringify(body), { status, headers: { 'Content-Type': 'application/json', ...headers } });
}

function abortError(): Error {
  return new DOMException('This operation was aborted', 'AbortError');
}
