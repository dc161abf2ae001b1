import {
  ERROR_STATUS,
  QR_STATUSES,
  isFinished,
  statusRank,
  type CreatedQrSession,
  type ErrorCode,
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
  { reason: 'completed'; snapshot: QrSessionSnapshot } | { reason: 'stopped' } | { reason: 'failed'; error: QrClientError };

export interface QrWatchOptions {
  /** Default `auto`. */
  transport?: QrTransportMode;
  /** How long the WebSocket may take to connect before `auto` falls back to long-poll. Default 5000. */
  connectTimeoutMs?: number;
  /** The `wait` of each long-poll, 0-30 seconds. Default 25. */
  pollWaitSeconds?: number;
  /** First pause after a failed long-poll (or a refused forced WebSocket); it doubles on each further failure. Default 1000. */
  retryDelayMs?: number;
  /** The longest pause between two attempts (a `Retry-After` from the server wins). Default 15000. */
  maxRetryDelayMs?: number;
  /**
   * How long failures in a row (no answer, 5xx, 429, a handshake refused for now) may go on before the watch gives up,
   * counted from the first of them. Default 180000 (3 minutes): long enough to ride out a server restart.
   */
  maxRetryDurationMs?: number;
  /** Failures in a row before the watch gives up, whatever the time. Default unlimited (`maxRetryDurationMs` caps). */
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
  return typeof status === 'string' && (QR_STATUSES as readonly string[]).includes(status);
}

/**
 * A failure the next attempt may not repeat: no answer, an overloaded or restarting server (5xx, including a proxy's
 * error page), a rate limit.
 */
export function isRetryableError(error: QrClientError): boolean {
  switch (error.code) {
    case 'network_error':
    case 'service_unavailable':
    case 'internal_error':
    case 'rate_limited':
      return true;
    default:
      return error.statusCode >= 500 || error.statusCode === 429;
  }
}

/**
 * Handshake refusals that no retry and no other transport can change: the session does not exist, the secret is
 * wrong, or the handshake itself is malformed. Any other refusal (`service_unavailable`, `rate_limited`,
 * `internal_error`, ...) is the server's state of the moment.
 */
export const FINAL_HANDSHAKE_REFUSALS: readonly ErrorCode[] = ['qr_not_found', 'qr_secret_invalid', 'validation_failed'];

/** Counts failures in a row and says when to give up: after `maxConsecutiveFailures`, or `maxRetryDurationMs` after the first. */
export class RetryBudget {
  private failures = 0;
  private firstFailureAt: number | undefined;

  constructor(
    private readonly options: { retryDelayMs: number; maxRetryDelayMs: number; maxRetryDurationMs: number; maxConsecutiveFailures: number },
  ) {}

  /** Records one failure; answers the pause before the next attempt, or undefined when it is time to give up. */
  fail(retryAfterSeconds: number | undefined, now = Date.now()): number | undefined {
    this.failures += 1;
    this.firstFailureAt ??= now;
    if (this.failures >= this.options.maxConsecutiveFailures) return undefined;
    if (now - this.firstFailureAt >= this.options.maxRetryDurationMs) return undefined;
    if (retryAfterSeconds !== undefined) return retryAfterSeconds * 1000;
    return Math.min(this.options.retryDelayMs * 2 ** (this.failures - 1), this.options.maxRetryDelayMs);
  }

  succeed(): void {
    this.failures = 0;
    this.firstFailureAt = undefined;
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
 * back to long-poll for good when that cannot connect: a transport error, no connection within `connectTimeoutMs`, a
 * server that closes the socket, or a handshake refused for the time being (`service_unavailable`, `rate_limited`,
 * `internal_error`). A handshake refused for good (`qr_secret_invalid`, `qr_not_found`, `validation_failed`) ends the
 * watch with that error instead: long-poll would be refused the same way.
 *
 * Long-poll retries failures that may pass (no answer, 5xx, 429) with a doubling, capped pause (or the server's
 * `Retry-After`) for up to `maxRetryDurationMs`, so a restarting server does not end the watch. A forced WebSocket
 * refused for the time being opens a new socket after the same pauses.
 *
 * Whatever the transport, the watch never reports a status older than one it already reported (a `status` that
 * raced a push, say), and ends by itself at a final status.
 */
export class QrSessionWatcher implements QrWatch {
  readonly done: Promise<QrWatchOutcome>;
  private readonly mode: QrTransportMode;
  private readonly connectTimeoutMs: number;
  private readonly pollWaitSeconds: number;
  private readonly retries: RetryBudget;
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
    this.retries = new RetryBudget(retryOptions(options));
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
      this.retries.succeed();
      this.useTransport('websocket', 'the WebSocket connected');
    });
    socket.on('connect_error', (error) => {
      if (this.socket !== socket) return;
      const refusal = refusalOf(error);
      if (refusal && FINAL_HANDSHAKE_REFUSALS.includes(refusal.code as ErrorCode)) return this.fail(refusal);
      if (refusal) return this.socketRefusedForNow(refusal);
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

  /** A handshake refused for the time being: `auto` goes on by long-poll, a forced WebSocket tries again later. */
  private socketRefusedForNow(refusal: QrClientError): void {
    if (this.finished) return;
    this.closeSocket();
    if (this.mode !== 'websocket') {
      return this.startLongPoll(`the server refused the WebSocket for now (${refusal.code}); falling back to long-poll`);
    }
    const pause = isRetryableError(refusal) ? this.retries.fail(refusal.retryAfterSeconds) : undefined;
    if (pause === undefined) return this.fail(refusal);
    void this.sleep(pause).then(() => {
      if (!this.finished) this.startSocket();
    });
  }

  private startLongPoll(reason: string): void {
    this.useTransport('longpoll', reason);
    this.pollLoop().catch((error: unknown) =>
      this.fail(error instanceof QrClientError ? error : QrClientError.client('network_error', String(error), error)),
    );
  }

  private async pollLoop(): Promise<void> {
    this.retries.succeed();
    // No `since` on the first request: it answers at once with the current snapshot, delivered as `status`.
    let since: QrStatus | undefined;
    while (!this.finished) {
      const answer = await this.pollOnce(since);
      if (this.finished) return;
      if (answer instanceof QrClientError) {
        const pause = isRetryableError(answer) ? this.retries.fail(answer.retryAfterSeconds) : undefined;
        if (pause === undefined) return this.fail(answer);
        await this.sleep(pause);
        continue;
      }
      this.retries.succeed();
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
    if (this.last && statusRank(snapshot.status) < statusRank(this.last.status)) return;
    this.last = snapshot;
    this.notify(() => this.options.onEvent?.({ type, snapshot, transport }));
    if (isFinished(snapshot.status)) this.finish({ reason: 'completed', snapshot });
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

/** The retry options with their defaults, checked; shared with the renewer's retries of a failed creation. */
export function retryOptions(options: Pick<QrWatchOptions, 'retryDelayMs' | 'maxRetryDelayMs' | 'maxRetryDurationMs' | 'maxConsecutiveFailures'>) {
  return {
    retryDelayMs: positive(options.retryDelayMs ?? 1000, 'retryDelayMs'),
    maxRetryDelayMs: positive(options.maxRetryDelayMs ?? 15_000, 'maxRetryDelayMs'),
    maxRetryDurationMs: positive(options.maxRetryDurationMs ?? 180_000, 'maxRetryDurationMs', true),
    maxConsecutiveFailures: positive(options.maxConsecutiveFailures ?? Infinity, 'maxConsecutiveFailures', true),
  };
}

function positive(value: number, name: string, infinite = false): number {
  if (!((Number.isFinite(value) || (infinite && value === Infinity)) && value > 0)) throw new RangeError(`${name} must be a positive number`);
  return value;
}
