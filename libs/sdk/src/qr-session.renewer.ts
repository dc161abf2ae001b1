import type { CreatedQrSession, QrSessionSnapshot, QrStatus } from '@app/contract';
import type { DesktopDevice, QrImageFormat } from './desktop.client';
import { QrClientError } from './qr-client.error';
import type { QrSessionKey, QrWatch, QrWatchEvent, QrWatchOptions } from './qr-session.watcher';

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
 */
export class FreshQrSession {
  readonly done: Promise<FreshQrOutcome>;
  private resolveDone!: (outcome: FreshQrOutcome) => void;
  private stopped = false;
  private creating: AbortController | undefined;
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
  }

  private async run(): Promise<FreshQrOutcome> {
    const { device, image, renewOn = ['expired'], maxRenewals = Infinity, onSession, onEvent, onError, ...watchOptions } = this.options;
    for (let renewal = 0; ; renewal += 1) {
      const creating = new AbortController();
      this.creating = creating;
      let session: CreatedQrSession;
      try {
        session = await this.source.createSession(device, { image, signal: creating.signal });
      } catch (error) {
        if (this.stopped) return { reason: 'stopped' };
        const failure = error instanceof QrClientError ? error : QrClientError.client('network_error', String(error), error);
        this.notify(() => onError?.(failure));
        return { reason: 'failed', error: failure };
      } finally {
        this.creating = undefined;
      }
      // Stopped while the session was being created: it is left to expire, nobody was shown its QR.
      if (this.stopped) return { reason: 'stopped' };
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
