import type { CreatedQrSession, QrSessionSnapshot, QrStatus } from '@app/contract';
import type { DesktopDevice, QrImageFormat } from './desktop.types';
import { QrClientError } from './qr-client.error';
import {
  RetryBudget,
  isRetryableError,
  retryOptions,
  type QrSessionKey,
  type QrWatch,
  type QrWatchEvent,
  type QrWatchOptions,
} from './qr-session.watcher';

/** What the renewer needs of a desktop client. */
export interface QrSessionSource {
  createSession(device: DesktopDevice, options: { image?: QrImageFormat; signal?: AbortSignal }): Promise<CreatedQrSession>;
  watch(session: QrSessionKey, options: QrWatchOptions): QrWatch;
}

export type RenewableStatus = Extract<QrStatus, 'expired' | 'rejected' | 'cancelled'>;

export interface FreshQrOptions extends Omit<QrWatchOptions, 'onEvent' | 'onError'> {
  device: DesktopDevice;
  image?: QrImageFormat;
  /** Final statuses that start a new session. Default `['expired']`: a rejection is the user's answer. */
  renewOn?: readonly RenewableStatus[];
  /** How many new sessions at most after the first one. Default unlimited. */
  maxRenewals?: number;
  /** A session to show: the first one, then one after each renewal (`renewal` counts them, from 0). */
  onSession(session: CreatedQrSession, renewal: number): void;
  onEvent?(event: QrWatchEvent, session: CreatedQrSession): void;
  onError?(error: QrClientError): void;
}

export type FreshQrOutcome =
  /** A final status that is not renewed (`confirmed`: `snapshot.login` signs the desktop in), or renewals ran out. */
  | { reason: 'completed'; snapshot: QrSessionSnapshot; session: CreatedQrSession }
  | { reason: 'stopped' }
  | { reason: 'failed'; error: QrClientError };

/**
 * A QR that stays valid on screen: each session is watched; when it ends in a renewable status a new one is created
 * and handed to `onSession`. Stoppable at any point (an in-flight creation is aborted, the watch is stopped).
 *
 * A creation that fails for the time being (no answer, 5xx, `rate_limited`, `service_unavailable`) is tried again with
 * the watch's backoff (`retryDelayMs`, doubling up to `maxRetryDelayMs`, or the server's `Retry-After`) until
 * `maxRetryDurationMs` (or `maxConsecutiveFailures`) runs out; any other failure ends at once.
 */
export class FreshQrSession {
  readonly done: Promise<FreshQrOutcome>;
  private resolveDone!: (outcome: FreshQrOutcome) => void;
  private stopped = false;
  private creating: AbortController | undefined;
  private pause: { timer: ReturnType<typeof setTimeout>; resume: () => void } | undefined;
  private currentSession: CreatedQrSession | undefined;
  private currentWatch: QrWatch | undefined;

  constructor(
    private readonly source: QrSessionSource,
    private readonly options: FreshQrOptions,
  ) {
    this.done = new Promise((resolve) => (this.resolveDone = resolve));
  }

  /** The session on screen now. */
  get session(): CreatedQrSession | undefined {
    return this.currentSession;
  }

  get watch(): QrWatch | undefined {
    return this.currentWatch;
  }

  start(): this {
    this.run().then(this.resolveDone, (error: unknown) =>
      this.resolveDone({ reason: 'failed', error: QrClientError.client('network_error', String(error), error) }),
    );
    return this;
  }

  stop(): void {
    if (this.stopped) return;
    this.stopped = true;
    this.creating?.abort();
    this.currentWatch?.stop();
    if (this.pause) {
      clearTimeout(this.pause.timer);
      this.pause.resume();
    }
  }

  private async run(): Promise<FreshQrOutcome> {
    const { device, image, renewOn = ['expired'], maxRenewals = Infinity, onSession, onEvent, onError, ...watchOptions } = this.options;
    const retries = new RetryBudget(retryOptions(watchOptions));
    for (let renewal = 0; ; renewal += 1) {
      const created = await this.create(device, image, retries);
      // Stopped while the session was being created: it is left to expire, nobody was shown its QR.
      if (this.stopped) return { reason: 'stopped' };
      if (created instanceof QrClientError) {
        this.notify(() => onError?.(created));
        return { reason: 'failed', error: created };
      }
      const session = created;
      this.currentSession = session;
      this.notify(() => onSession(session, renewal));

      const watch = this.source.watch(session, { ...watchOptions, onEvent: (event) => onEvent?.(event, session) });
      this.currentWatch = watch;
      if (this.stopped) watch.stop();
      const outcome = await watch.done;
      if (outcome.reason === 'stopped') return outcome;
      if (outcome.reason === 'failed') {
        this.notify(() => onError?.(outcome.error));
        return outcome;
      }
      const status = outcome.snapshot.status;
      const renewable = (renewOn as readonly QrStatus[]).includes(status);
      if (!renewable || renewal >= maxRenewals) return { reason: 'completed', snapshot: outcome.snapshot, session };
    }
  }

  /** Creates a session, retrying failures that may pass; answers the session, or the failure that ended the tries. */
  private async create(
    device: FreshQrOptions['device'],
    image: FreshQrOptions['image'],
    retries: RetryBudget,
  ): Promise<CreatedQrSession | QrClientError> {
    retries.succeed();
    for (;;) {
      const creating = new AbortController();
      this.creating = creating;
      let failure: QrClientError;
      try {
        return await this.source.createSession(device, { image, signal: creating.signal });
      } catch (error) {
        failure = error instanceof QrClientError ? error : QrClientError.client('network_error', String(error), error);
      } finally {
        this.creating = undefined;
      }
      if (this.stopped) return failure;
      const pause = isRetryableError(failure) ? retries.fail(failure.retryAfterSeconds) : undefined;
      if (pause === undefined) return failure;
      await this.sleep(pause);
      if (this.stopped) return failure;
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
