import { QR_NAMESPACE, type CreatedQrSession, type QrSessionSnapshot, type QrStatus } from '@app/contract';
import { HttpClient, type HttpClientOptions } from './http-client';
import { socketIoFactory, type QrSocketFactory } from './qr-socket.factory';
import type { DesktopDevice, QrImageFormat } from './desktop.types';
export type { DesktopDevice, DesktopDeviceType, QrImageFormat } from './desktop.types';
import { FreshQrSession, type FreshQrOptions } from './qr-session.renewer';
import { QrSessionWatcher, type QrSessionKey, type QrWatch, type QrWatchOptions } from './qr-session.watcher';

export interface QrDesktopClientOptions extends HttpClientOptions {
  /** Opens the Socket.IO connection; socket.io-client's `io` by default. */
  socketFactory?: QrSocketFactory;
  /** The socket.io path; default `/socket.io` under the path of `baseUrl`. */
  socketPath?: string;
}

/**
 * The desktop side of QR login: create a session, show its QR, watch it (Socket.IO with long-poll fallback) until the
 * phone confirms, then sign in with `snapshot.login`. Runs in browsers and in Node 20+.
 */
export class QrDesktopClient {
  private readonly http: HttpClient;
  private readonly socketFactory: QrSocketFactory;
  private readonly socketUrl: string;
  private readonly socketPath: string;

  constructor(options: QrDesktopClientOptions) {
    this.http = new HttpClient(options);
    this.socketFactory = options.socketFactory ?? socketIoFactory;
    // socket.io reads a URL's path as the namespace, so a path prefix (behind a proxy) belongs in `path` instead.
    const base = new URL(this.http.baseUrl);
    this.socketUrl = `${base.origin}${QR_NAMESPACE}`;
    this.socketPath = options.socketPath ?? `${base.pathname.replace(/\/+$/, '')}/socket.io`;
  }

  get baseUrl(): string {
    return this.http.baseUrl;
  }

  /** `POST /api/qr-sessions`: a new pending session, its secret (keep it; never show it) and its QR. */
  createSession(device: DesktopDevice, options: { image?: QrImageFormat; signal?: AbortSignal } = {}): Promise<CreatedQrSession> {
    return this.http.request<CreatedQrSession>('POST', '/api/qr-sessions', {
      query: { image: options.image },
      body: { device },
      signal: options.signal,
    });
  }

  /**
   * `GET /api/qr-sessions/:id`: the snapshot now, or, with `since` and `wait`, once its status differs from `since`
   * (at most `wait` seconds later). `watch` does this in a loop when it long-polls.
   */
  getSession(session: QrSessionKey, options: { since?: QrStatus; wait?: number; signal?: AbortSignal } = {}): Promise<QrSessionSnapshot> {
    return this.http.request<QrSessionSnapshot>('GET', this.path(session), {
      query: { since: options.since, wait: options.wait },
      headers: { 'X-QR-Secret': session.secret },
      signal: options.signal,
    });
  }

  /** `DELETE /api/qr-sessions/:id`: the desktop gives up on the session; answers the `cancelled` snapshot. */
  cancel(session: QrSessionKey): Promise<QrSessionSnapshot> {
    return this.http.request<QrSessionSnapshot>('DELETE', this.path(session), { headers: { 'X-QR-Secret': session.secret } });
  }

  /** Follows one session until a final status, `stop()`, or a failure; see QrSessionWatcher for the transports. */
  watch(session: QrSessionKey, options: QrWatchOptions = {}): QrWatch {
    return new QrSessionWatcher(
      session,
      { http: this.http, socketFactory: this.socketFactory, socketUrl: this.socketUrl, socketPath: this.socketPath },
      options,
    ).start();
  }

  /** Keeps a QR up on a page: a new session whenever the current one expires, until sign-in, `stop()` or a failure. */
  keepFresh(options: FreshQrOptions): FreshQrSession {
    return new FreshQrSession(this, options).start();
  }

  private path(session: QrSessionKey): string {
    return `/api/qr-sessions/${encodeURIComponent(session.id)}`;
  }
}
