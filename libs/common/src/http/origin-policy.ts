/**
 * Which browser origins may use the API and open sockets (contract §6 `CORS_ORIGINS`). A web page of any other origin
 * must not be able to run a QR login inside a victim's browser (create a session, read its secret, receive the token):
 * it gets no CORS grant over HTTP, and its Socket.IO handshake is refused whatever the transport (a WebSocket is not
 * covered by CORS at all, so the `Origin` header is checked by the server itself).
 *
 * Allowed: the origin of `PUBLIC_URL`, the listed origins, and a page of the very host the request was sent to (the
 * service's own pages, whatever name they were reached by: same-origin requests need no grant anyway). A request
 * without `Origin` comes from no browser page (curl, the SDK in Node, the mobile app) and is not a CORS matter.
 */
export class OriginPolicy {
  private readonly allowed: ReadonlySet<string>;

  constructor(publicUrl: string, corsOrigins: readonly string[]) {
    this.allowed = new Set([new URL(publicUrl).origin, ...corsOrigins]);
  }

  /** Whether a browser page of `origin` may call the API (CORS grant). */
  allowsCrossOrigin(origin: string): boolean {
    return this.allowed.has(origin);
  }

  /**
   * Whether a request with these headers may go on: no `Origin`, an allowed one, or one naming the host the request
   * was addressed to (same origin).
   */
  allowsRequest(headers: RequestHeaders): boolean {
    const origin = single(headers.origin);
    if (origin === undefined) return true;
    if (this.allowed.has(origin)) return true;
    const host = single(headers.host);
    if (!host) return false;
    try {
      const url = new URL(origin);
      return (url.protocol === 'http:' || url.protocol === 'https:') && url.host === host.toLowerCase();
    } catch {
      return false;
    }
  }

  /**
   * Whether a page of an origin that is not allowed made this request from its visitor's browser: it names itself in
   * `Origin` (a form POST, which needs no CORS preflight), or, sending none (an `<img>`, a `<script>`), the browser says
   * so in `Sec-Fetch-Site`. Such a request is served, but its page cannot read the answer (no CORS grant).
   */
  isForeignPage(headers: RequestHeaders): boolean {
    if (!this.allowsRequest(headers)) return true;
    const site = single(headers['sec-fetch-site']);
    return single(headers.origin) === undefined && (site === 'cross-site' || site === 'same-site');
  }
}

/** The headers these checks read. */
type RequestHeaders = { origin?: string | string[]; host?: string | string[]; 'sec-fetch-site'?: string | string[] };

function single(value: string | string[] | undefined): string | undefined {
  return Array.isArray(value) ? value[0] : value;
}
