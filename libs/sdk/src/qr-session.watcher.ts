import {
  ERROR_STATUS,
  type CreatedQrSession,
  type QrServerToClientEvents,
  type QrSessionSnapshot,
  type QrStatus,
} from '@app/contract';
import type { HttpClient } from './http-client';
import { QrClientError, isContractErrorCode } from './qr-client.error';
import type { QrSocket, QrSocketFactory } from './qr-socket.factory';

export type QrTransport = 'websocket' | 'longpoll';
/** `auto`: Socket.IO over WebSocket, and long-poll when the WebSocket cannot connect. */
export type QrTransportMode = 'auto' | QrTransport;
export type QrWatchEventType = keyof QrServerToClientEvents;

/** The id and secret of a session: all a desktop needs to watch or cancel it. */
export type QrSessionKey = Pick<CreatedQrSession, 'id' | 'secret'>;

export interface QrWatchEvent {
  /** `status` opens every (re)connection, a switch to long-poll included; then one event per change. */
  type: QrWatchEventType;
  snapshot: QrSessionSnapshot;
  transport: QrTransport;
}

export type QrWatchOutcome =
  /** The session reached a final status (`confirmed`, `rejected`, `cancelled`, `expired`): `snapshot` says which. */
  | { reason: 'completed'; snapshot: QrSessionSnapshot }
  | { reason: 'stopped' }
  | { reason: 'failed'; error: QrClientError };

export interface QrWatchOptions {
  /** Default `auto`. */
  transport?: QrTransportMode;
  /** How long the WebSocket may take to connect before `auto` falls back to long-poll. Default 5000. */
  connectTimeoutMs?: number;
  /** The `wait` of each long-poll, 0-30 seconds. Default 25. */
  pollWaitSeconds?: number;
  /** First pause after a failed long-poll; it doubles on each further failure. Default 1000. */
  retryDelayMs?: number;
  /** Default 15000. */
  maxRetryDelayMs?: number;
  /** Long-poll failures in a row (network, 5xx, 429) before the watch gives up. Default 5. */
  maxConsecutiveFailures?: number;
  onEvent?(event: QrWatchEvent): void;
  /** Which transport now carries the events, and why (e.g. why `auto` fell back to long-poll). */
  onTransport?(transport: QrTransport, reason: string): void;
  /** The watch ended on this error; `done` resolves with it as well. */
  onError?(error: QrClientError): void;
}

export interface QrWatch {
  /** The transport in use; undefined while the first connection is being made. */
  readonly transport: QrTransport | undefined;
  /** The last snapshot delivered. */
  readonly snapshot: QrSessionSnapshot | undefined;
  /** Resolves once the watch is over, never rejects: a final status, `stop()`, or a failure. */
  readonly done: Promise<QrWatchOutcome>;
  /** Closes the socket, aborts the long-poll request and clears every timer. Safe to call more than once. */
  stop(): void;
}

export interface QrWatcherDependencies {
  http: HttpClient;
  socketFactory: QrSocketFactory;
  /** Origin plus namespace, e.g. `https://login.example.com/qr`. */
  socketUrl: string;
  /** The socket.io path, e.g. `/socket.io`. */
  socketPath: string;
}

// Records over QrStatus: a status added to the contract breaks the build here until it is placed.
const EVENT_OF_STATUS: Record<QrStatus, QrWatchEventType> = {
  pending: 'status',
  scanned: 'scanned',
  confirmed: 'confirmed',
  rejected: 'rejected',
  cancelled: 'cancelled',
  expired: 'expired',
};
const RANK: Record<QrStatus, number> = { pending: 0, scanned: 1, confirmed: 2, rejected: 2, cancelled: 2, expired: 2 };
const EVENT_TYPES = Object.keys({
  status: true,
  scanned: true,
  confirmed: true,
  rejected: true,
  cancelled: true,
  expired: true,
} satisfies Record<QrWatchEventType, true>) as QrWatchEventType[];

function isSnapshot(value: unknown): value is QrSessionSnapshot {
  const status = (value as { status?: unknown } | null | undefined)?.status;
  return typeof status === 'string' && Object.hasOwn(RANK, status);
}

export function isFinalStatus(status: QrStatus): boolean {
  return RANK[status] === 2;
}

/** A failure the next long-poll may not repeat: no answer, an overloaded or restarting server, a rate limit. */
function isRetryable(error: QrClientError): boolean {
  switch (error.code) {
    case 'network_error':
    case 'service_unavailable':
    case 'internal_error':
    case 'rate_limited':
      return true;
    case 'unexpected_response':
      return error.statusCode >= 500;
    default:
      return false;
  }
}

/** A `connect_error` whose message is a contract code is the server refusing the handshake, not a transport failure. */
function refusalOf(error: Error & { data?: unknown }): QrClientError | undefined {
  if (!isContractErrorCode(error.message)) return undefined;
  const data = (error.data ?? {}) as { message?: unknown };
  const message = typeof data.message === 'string' ? data.message : `The server refused the socket: ${error.message}`;
  return new QrClientError(ERROR_STATUS[error.message], error.message, message);
}

/**
 * Watches one QR session (contract §3-§4). In `auto` mode it opens a Socket.IO connection (WebSocket only) and falls
 * back to long-poll for good when that cannot connect: a transport error, no connection within `connectTimeoutMs`, or
 * a server that closes the socket. A handshake refused with a contract code (`qr_secret_invalid`, `qr_not_found`, ...)
 * ends the watch with that error instead: long-poll would be refused the same way.
 *
 * Whatever the transport, the watch never reports a status older than one it already reported (a `status` that
 * raced a push, say), and ends by itself at a final status.
 */
export class QrSessionWatcher implements QrWatch {
  readonly done: Promise<QrWatchOutcome>;
  private readonly mode: QrTransportMode;
  private readonly connectTimeoutMs: number;
  private readonly pollWaitSeconds: number;
  private readonly retryDelayMs: number;
  private readonly maxRetryDelayMs: number;
  private readonly maxConsecutiveFailures: number;
  private resolveDone!: (outcome: QrWatchOutcome) => void;
  private finished = false;
  private current: QrTransport | undefined;
  private last: QrSessionSnapshot | undefined;
  private socket: QrSocket | undefined;
  private connectTimer: ReturnType<typeof setTimeout> | undefined;
  private pollAbort: AbortController | undefined;
  private pause: { timer: ReturnType<typeof setTimeout>; resume: () => void } | undefined;

  constructor(
    private readonly session: QrSessionKey,
    private readonly deps: QrWatcherDependencies,
    private readonly options: QrWatchOptions = {},
  ) {
    this.mode = options.transport ?? 'auto';
    if (!['auto', 'websocket', 'longpoll'].includes(this.mode)) throw new RangeError(`transport must be auto, websocket or longpoll`);
    this.connectTimeoutMs = positive(options.connectTimeoutMs ?? 5000, 'connectTimeoutMs');
    this.pollWaitSeconds = options.pollWaitSeconds ?? 25;
    if (!(this.pollWaitSeconds >= 0 && this.pollWaitSeconds <= 30)) throw new RangeError('pollWaitSeconds must be from 0 to 30');
    this.retryDelayMs = positive(options.retryDelayMs ?? 1000, 'retryDelayMs');
    this.maxRetryDelayMs = positive(options.maxRetryDelayMs ?? 15_000, 'maxRetryDelayMs');
    this.maxConsecutiveFailures = positive(options.maxConsecutiveFailures ?? 5, 'maxConsecutiveFailures');
    this.done = new Promise((resolve) => (this.resolveDone = resolve));
  }

  get transport(): QrTransport | undefined {
    return this.current;
  }

  get snapshot(): QrSessionSnapshot | undefined {
    return this.last;
  }

  start(): this {
    if (this.mode === 'longpoll') this.startLongPoll('long-poll was asked for');
    else this.startSocket();
    return this;
  }

  stop(): void {
    this.finish({ reason: 'stopped' });
  }

  private startSocket(): void {
    const socket = this.deps.socketFactory(this.deps.socketUrl, {
      path: this.deps.socketPath,
      auth: { qrId: this.session.id, secret: this.session.secret },
      // WebSocket only: socket.io's own HTTP polling would hide the failure that long-poll is the answer to.
      transports: ['websocket'],
      // A manager of its own, so that closing this watch closes its connection and nothing else.
      forceNew: true,
      reconnection: true,
      timeout: this.connectTimeoutMs,
    });
    this.socket = socket;
    let connectedOnce = false;
    // socket.io's `timeout` covers the transport only; a namespace handshake that never answers needs this timer.
    this.connectTimer = setTimeout(() => {
      this.connectTimer = undefined;
      this.socketUnusable(`no WebSocket connection within ${this.connectTimeoutMs} ms`);
    }, this.connectTimeoutMs);

    socket.on('connect', () => {
      if (this.socket !== socket) return;
      this.clearConnectTimer();
      connectedOnce = true;
      this.useTransport('websocket', 'the WebSocket connected');
    });
    socket.on('connect_error', (error) => {
      if (this.socket !== socket) return;
      const refusal = refusalOf(error);
      if (refusal) return this.fail(refusal);
      // Forced WebSocket after a first connection: socket.io keeps reconnecting by itself, `status` catches up.
      if (this.mode === 'websocket' && connectedOnce) return;
      this.socketUnusable(`the WebSocket could not connect (${error.message})`);
    });
    socket.on('disconnect', (reason) => {
      // socket.io reconnects by itself after a lost connection, but not after the server closed the socket.
      if (this.socket === socket && reason === 'io server disconnect') this.socketUnusable('the server closed the socket');
    });
    for (const type of EVENT_TYPES) {
      socket.on(type, (snapshot: QrSessionSnapshot) => {
        if (this.socket === socket) this.deliver(type, snapshot, 'websocket');
      });
    }
  }

  private socketUnusable(reason: string): void {
    if (this.finished) return;
    this.closeSocket();
    if (this.mode === 'websocket') return this.fail(QrClientError.client('network_error', `${reason}; long-poll is off (transport: websocket)`));
    this.startLongPoll(`${reason}; falling back to long-poll`);
  }

  private startLongPoll(reason: string): void {
    this.useTransport('longpoll', reason);
    this.pollLoop().catch((error: unknown) =>
      this.fail(error instanceof QrClientError ? error : QrClientError.client('network_error', String(error), error)),
    );
  }

  private async pollLoop(): Promise<void> {
    let failures = 0;
    // No `since` on the first request: it answers at once with the current snapshot, delivered as `status`.
    let since: QrStatus | undefined;
    while (!this.finished) {
      const answer = await this.pollOnce(since);
      if (this.finished) return;
      if (answer instanceof QrClientError) {
        failures += 1;
        if (!isRetryable(answer) || failures >= this.maxConsecutiveFailures) return this.fail(answer);
        await this.sleep(this.backoff(failures, answer.retryAfterSeconds));
        continue;
      }
      failures = 0;
      if (since === undefined) this.deliver('status', answer, 'longpoll');
      else if (answer.status !== since) this.deliver(EVENT_OF_STATUS[answer.status], answer, 'longpoll');
      since = answer.status;
    }
  }

  /** One long-poll request, abortable by stop(); a failure is returned, not thrown. */
  private async pollOnce(since: QrStatus | undefined): Promise<QrSessionSnapshot | QrClientError> {
    const abort = new AbortController();
    this.pollAbort = abort;
    const wait = since === undefined ? 0 : this.pollWaitSeconds;
    // A proxy that swallows the answer must not hang the watch: give the server its wait plus a margin.
    const guard = setTimeout(() => abort.abort(), (wait + 10) * 1000);
    try {
      const snapshot = await this.deps.http.request<unknown>('GET', `/api/qr-sessions/${encodeURIComponent(this.session.id)}`, {
        query: since === undefined ? undefined : { since, wait },
        headers: { 'X-QR-Secret': this.session.secret },
        signal: abort.signal,
      });
      if (isSnapshot(snapshot)) return snapshot;
      return new QrClientError(200, 'unexpected_response', 'The long-poll answered something that is not a QR session snapshot');
    } catch (error) {
      return error instanceof QrClientError ? error : QrClientError.client('network_error', String(error), error);
    } finally {
      clearTimeout(guard);
      if (this.pollAbort === abort) this.pollAbort = undefined;
    }
  }

  private backoff(failures: number, retryAfterSeconds: number | undefined): number {
    if (retryAfterSeconds !== undefined) return retryAfterSeconds * 1000;
    return Math.min(this.retryDelayMs * 2 ** (failures - 1), this.maxRetryDelayMs);
  }

  private sleep(ms: number): Promise<void> {
    return new Promise((resolve) => {
      const resume = () => {
        this.pause = undefined;
        resolve();
      };
      this.pause = { timer: setTimeout(resume, ms), resume };
    });
  }

  private deliver(type: QrWatchEventType, snapshot: QrSessionSnapshot, transport: QrTransport): void {
    if (this.finished || !isSnapshot(snapshot)) return;
    if (this.last && RANK[snapshot.status] < RANK[this.last.status]) return;
    this.last = snapshot;
    this.notify(() => this.options.onEvent?.({ type, snapshot, transport }));
    if (isFinalStatus(snapshot.status)) this.finish({ reason: 'completed', snapshot });
  }

  private useTransport(transport: QrTransport, reason: string): void {
    if (this.current === transport) return;
    this.current = transport;
    this.notify(() => this.options.onTransport?.(transport, reason));
  }

  private fail(error: QrClientError): void {
    if (this.finished) return;
    this.finish({ reason: 'failed', error });
    this.notify(() => this.options.onError?.(error));
  }

  private finish(outcome: QrWatchOutcome): void {
    if (this.finished) return;
    this.finished = true;
    this.closeSocket();
    this.pollAbort?.abort();
    this.pollAbort = undefined;
    if (this.pause) {
      clearTimeout(this.pause.timer);
      this.pause.resume();
    }
    this.resolveDone(outcome);
  }

  private closeSocket(): void {
    this.clearConnectTimer();
    const socket = this.socket;
    // Forget it first: close() emits `disconnect` synchronously, which must not count as a failure.
    this.socket = undefined;
    socket?.close();
  }

  private clearConnectTimer(): void {
    if (this.connectTimer !== undefined) clearTimeout(this.connectTimer);
    this.connectTimer = undefined;
  }

  /** An application callback that throws must not break the watch; its error still surfaces, uncaught. */
  private notify(callback: () => void): void {
    try {
      callback();
    } catch (error) {
      queueMicrotask(() => {
        throw error;
      });
    }
  }
}

function positive(value: number, name: string): number {
  if (!(Number.isFinite(value) && value > 0)) throw new RangeError(`${name} must be a positive number`);
  return value;
}
