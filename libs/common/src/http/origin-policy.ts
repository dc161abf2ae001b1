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

  /** From the service's configuration (`PUBLIC_URL`, `CORS_ORIGINS`): the HTTP server, the sockets and the rate limits ask the same. */
  constructor({ publicUrl, corsOrigins }: { publicUrl: string; corsOrigins: readonly string[] }) {
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
   * Whether a page of an origin that is not allowed made this request from its visitor's browser: a request such a page
   * can send without a CORS preflight (a GET, an `<img>`, a form POST), which names its page in `Origin` or, sending
   * none, is said by the browser to come from another site (`Sec-Fetch-Site`). Such a request is served, but its page
   * cannot read the answer (no CORS grant). Any other request of a foreign page (JSON, custom headers) is stopped by
   * its preflight: one that claims to be such is not a browser's, and is not taken for one.
   */
  isForeignPage(request: { method: string; headers: RequestHeaders }): boolean {
    if (!sendableWithoutPreflight(request)) return false;
    if (!this.allowsRequest(request.headers)) return true;
    const site = single(request.headers['sec-fetch-site']);
    return single(request.headers.origin) === undefined && (site === 'cross-site' || site === 'same-site');
  }
}

/** The headers these checks read. */
type RequestHeaders = {
  origin?: string | string[];
  host?: string | string[];
  'sec-fetch-site'?: string | string[];
  'content-type'?: string | string[];
};

/** The body types a page may send another origin without a preflight (the CORS "simple" requests). */
const SIMPLE_BODY_TYPES = ['application/x-www-form-urlencoded', 'multipart/form-data', 'text/plain'];

function sendableWithoutPreflight({ method, headers }: { method: string; headers: RequestHeaders }): boolean {
  if (method === 'GET' || method === 'HEAD') return true;
  if (method !== 'POST') return false;
  const type = single(headers['content-type']);
  // A POST without a body type (`fetch(url, {method: 'POST', mode: 'no-cors'})`) needs no preflight either.
  return type === undefined || SIMPLE_BODY_TYPES.includes(type.split(';')[0].trim().toLowerCase());
}

function single(value: string | string[] | undefined): string | undefined {
  return Array.isArray(value) ? value[0] : value;
}
