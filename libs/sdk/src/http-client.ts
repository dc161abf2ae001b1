import { QrClientError, isContractErrorCode } from './qr-client.error';

/**
 * The part of `fetch` the SDK uses: the global one (browsers, Node 20+) by default; tests and unusual runtimes pass
 * their own.
 */
export type FetchLike = (
  url: string,
  init: { method: string; headers: Record<string, string>; body?: string; signal?: AbortSignal },
) => Promise<Response>;

export interface HttpClientOptions {
  /** Where the service is, e.g. `https://login.example.com` (a path prefix behind a proxy is kept). */
  baseUrl: string;
  fetch?: FetchLike;
  /** Headers sent with every request, e.g. a `User-Agent` outside browsers. */
  headers?: Record<string, string>;
}

export interface HttpRequest {
  query?: Record<string, string | number | undefined>;
  body?: unknown;
  headers?: Record<string, string | undefined>;
  signal?: AbortSignal;
}

/** Strips the trailing slashes of a base URL so that paths can be appended as they are written in the contract. */
export function normaliseBaseUrl(baseUrl: string): string {
  let url: URL;
  try {
    url = new URL(baseUrl);
  } catch {
    throw new TypeError(`baseUrl must be an absolute http(s) URL, got "${baseUrl}"`);
  }
  if (url.protocol !== 'http:' && url.protocol !== 'https:') {
    throw new TypeError(`baseUrl must be an absolute http(s) URL, got "${baseUrl}"`);
  }
  return `${url.origin}${url.pathname.replace(/\/+$/, '')}`;
}

/** JSON over fetch, with every failure turned into a QrClientError carrying the contract's code. */
export class HttpClient {
  readonly baseUrl: string;
  private readonly fetchImpl: FetchLike;
  private readonly headers: Record<string, string>;

  constructor(options: HttpClientOptions) {
    this.baseUrl = normaliseBaseUrl(options.baseUrl);
    // Called through globalThis at call time: a detached `fetch` throws "Illegal invocation" in browsers.
    this.fetchImpl = options.fetch ?? ((url, init) => globalThis.fetch(url, init));
    this.headers = { Accept: 'application/json', ...options.headers };
  }

  async request<T>(method: string, path: string, request: HttpRequest = {}): Promise<T> {
    const headers: Record<string, string> = { ...this.headers };
    for (const [name, value] of Object.entries(request.headers ?? {})) if (value !== undefined) headers[name] = value;
    let body: string | undefined;
    if (request.body !== undefined) {
      headers['Content-Type'] = 'application/json';
      body = JSON.stringify(request.body);
    }
    const url = this.url(path, request.query);

    let response: Response;
    try {
      response = await this.fetchImpl(url, { method, headers, body, signal: request.signal });
    } catch (error) {
      const reason = request.signal?.aborted ? 'the request was aborted' : describeFailure(error);
      throw QrClientError.client('network_error', `${method} ${url} failed: ${reason}`, error);
    }
    if (!response.ok) throw await this.errorOf(response);
    if (response.status === 204) return undefined as T;
    const text = await this.readText(response, method, url);
    if (text === '') return undefined as T;
    try {
      return JSON.parse(text) as T;
    } catch (error) {
      throw new QrClientError(response.status, 'unexpected_response', `${method} ${url} answered ${response.status} with a body that is not JSON`, {
        cause: error,
      });
    }
  }

  private url(path: string, query: HttpRequest['query']): string {
    const params = new URLSearchParams();
    for (const [name, value] of Object.entries(query ?? {})) if (value !== undefined) params.set(name, String(value));
    const search = params.toString();
    return `${this.baseUrl}${path}${search ? `?${search}` : ''}`;
  }

  private async readText(response: Response, method: string, url: string): Promise<string> {
    try {
      return await response.text();
    } catch (error) {
      // The connection broke (or the request was aborted) while the body was arriving.
      throw QrClientError.client('network_error', `${method} ${url}: the answer was cut off: ${describeFailure(error)}`, error);
    }
  }

  private async errorOf(response: Response): Promise<QrClientError> {
    const retryAfter = Number(response.headers.get('Retry-After'));
    const retryAfterSeconds = Number.isFinite(retryAfter) && retryAfter >= 0 && response.headers.has('Retry-After') ? retryAfter : undefined;
    let body: unknown;
    try {
      body = JSON.parse(await response.text());
    } catch {
      body = undefined;
    }
    const candidate = (body ?? {}) as { statusCode?: unknown; code?: unknown; message?: unknown };
    if (isContractErrorCode(candidate.code) && typeof candidate.message === 'string') {
      const statusCode = typeof candidate.statusCode === 'number' ? candidate.statusCode : response.status;
      return QrClientError.fromBody({ statusCode, code: candidate.code, message: candidate.message }, retryAfterSeconds);
    }
    return new QrClientError(
      response.status,
      'unexpected_response',
      `HTTP ${response.status} ${response.statusText} without the contract's error body (a proxy in between?)`,
      { retryAfterSeconds },
    );
  }
}

function describeFailure(error: unknown): string {
  if (error instanceof Error) {
    // Node's fetch says only "fetch failed"; the cause says why (ECONNREFUSED, ENOTFOUND, ...).
    const cause = (error as { cause?: unknown }).cause;
    const detail = cause instanceof Error ? cause.message : (cause as { code?: string } | undefined)?.code;
    return detail ? `${error.message} (${detail})` : error.message;
  }
  return String(error);
}
