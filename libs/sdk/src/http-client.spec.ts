import { HttpClient, normaliseBaseUrl, type FetchLike } from './http-client';
import { QrClientError } from './qr-client.error';

describe('HttpClient', () => {
  function answering(response: () => Response | Promise<Response>) {
    const calls: Array<Parameters<FetchLike>> = [];
    const fetch: FetchLike = async (...args) => {
      calls.push(args);
      return response();
    };
    return { http: new HttpClient({ baseUrl: 'http://qr.test/', fetch, headers: { 'User-Agent': 'spec' } }), calls };
  }

  it('sends JSON to baseUrl + path with the query, and parses the answer', async () => {
    const { http, calls } = answering(() => Response.json({ ok: true }, { status: 201 }));
    await expect(http.request('POST', '/api/x', { body: { a: 1 }, query: { image: 'none', skip: undefined } })).resolves.toEqual({ ok: true });
    expect(calls[0][0]).toBe('http://qr.test/api/x?image=none');
    expect(calls[0][1]).toMatchObject({
      method: 'POST',
      body: '{"a":1}',
      headers: { 'Content-Type': 'application/json', Accept: 'application/json', 'User-Agent': 'spec' },
    });
  });

  it('answers undefined for 204', async () => {
    const { http } = answering(() => new Response(null, { status: 204 }));
    await expect(http.request('POST', '/api/auth/logout')).resolves.toBeUndefined();
  });

  it("turns the contract's error body into a QrClientError with its status, code and message", async () => {
    const { http } = answering(() =>
      Response.json({ statusCode: 403, code: 'scan_ticket_invalid', message: 'The scan ticket is unknown.' }, { status: 403 }),
    );
    const error = await http.request('POST', '/api/x').catch((caught: unknown) => caught);
    expect(error).toBeInstanceOf(QrClientError);
    expect((error as QrClientError).toJSON()).toEqual({ statusCode: 403, code: 'scan_ticket_invalid', message: 'The scan ticket is unknown.' });
  });

  it('keeps Retry-After of a rate limit', async () => {
    const { http } = answering(() =>
      Response.json({ statusCode: 429, code: 'rate_limited', message: 'Slow down.' }, { status: 429, headers: { 'Retry-After': '17' } }),
    );
    await expect(http.request('GET', '/api/x')).rejects.toMatchObject({ code: 'rate_limited', retryAfterSeconds: 17 });
  });

  it('calls a non-contract error answer unexpected_response, with its HTTP status', async () => {
    const { http } = answering(() => new Response('<html>502 Bad Gateway</html>', { status: 502, statusText: 'Bad Gateway' }));
    await expect(http.request('GET', '/api/x')).rejects.toMatchObject({ code: 'unexpected_response', statusCode: 502 });
  });

  it('calls a success that is not JSON unexpected_response', async () => {
    const { http } = answering(() => new Response('<html>captive portal</html>', { status: 200 }));
    await expect(http.request('GET', '/api/x')).rejects.toMatchObject({ code: 'unexpected_response', statusCode: 200 });
  });

  it('reports no answer at all as network_error with status 0 and the cause', async () => {
    const refused = Object.assign(new TypeError('fetch failed'), {
      cause: Object.assign(new Error('connect ECONNREFUSED 127.0.0.1:1'), { code: 'ECONNREFUSED' }),
    });
    const { http } = answering(() => Promise.reject(refused));
    const error = (await http.request('GET', '/api/x').catch((caught: unknown) => caught)) as QrClientError;
    expect(error).toMatchObject({ code: 'network_error', statusCode: 0, cause: refused });
    expect(error.message).toContain('ECONNREFUSED');
  });

  it('accepts only absolute http(s) base URLs and drops trailing slashes', () => {
    expect(normaliseBaseUrl('https://login.example.com/')).toBe('https://login.example.com');
    expect(normaliseBaseUrl('http://127.0.0.1:3000/prefix//')).toBe('http://127.0.0.1:3000/prefix');
    expect(() => normaliseBaseUrl('login.example.com')).toThrow(TypeError);
    expect(() => normaliseBaseUrl('ftp://login.example.com')).toThrow(TypeError);
  });
});
