import type { Browser } from 'playwright-core';
import { findChromium, launchBrowser } from './support/browser';
import { startTestApp, type TestApp } from './support/test-app';

/** The OpenAPI document covers every endpoint of the contract, with its error bodies and the headers it needs. */
describe('OpenAPI', () => {
  let app: TestApp;
  let document: {
    paths: Record<
      string,
      Record<string, { parameters?: Array<{ name: string; in: string }>; responses: Record<string, unknown>; security?: unknown[] }>
    >;
    components: { schemas: Record<string, { properties?: Record<string, unknown> }> };
  };

  beforeAll(async () => {
    app = await startTestApp();
    document = (await app.http().get('/api/docs-json').expect(200)).body;
  });
  afterAll(() => app.close());

  const endpoints: Array<[string, string]> = [
    ['post', '/api/accounts'],
    ['post', '/api/auth/login'],
    ['post', '/api/auth/logout'],
    ['get', '/api/me'],
    ['get', '/api/devices'],
    ['delete', '/api/devices/{deviceId}'],
    ['post', '/api/qr-sessions'],
    ['get', '/api/qr-sessions/{id}'],
    ['delete', '/api/qr-sessions/{id}'],
    ['get', '/api/qr-sessions/{id}/qr.svg'],
    ['get', '/api/qr-sessions/{id}/qr.png'],
    ['post', '/api/qr-sessions/{id}/scan'],
    ['post', '/api/qr-sessions/{id}/confirm'],
    ['post', '/api/qr-sessions/{id}/reject'],
    ['post', '/api/qr-sessions/scan-code'],
    ['get', '/api/admin/qr-sessions'],
    ['get', '/api/admin/qr-sessions/{id}'],
    ['get', '/api/admin/devices'],
    ['post', '/api/admin/devices/{accountId}/{deviceId}/revoke'],
  ];

  it.each(endpoints)('documents %s %s with its error bodies', (method, path) => {
    const operation = document.paths[path]?.[method];
    expect(operation).toBeDefined();
    const errors = Object.keys(operation.responses).filter((status) => Number(status) >= 400);
    expect(errors.length).toBeGreaterThan(0);
    for (const status of errors) {
      expect(JSON.stringify(operation.responses[status])).toContain('#/components/schemas/ErrorBodyResponse');
    }
  });

  it.each([
    ['post', '/api/qr-sessions/{id}/confirm', 'scan_ticket_invalid', '403'],
    ['post', '/api/qr-sessions/{id}/scan', 'qr_already_scanned', '409'],
    ['get', '/api/qr-sessions/{id}', 'qr_secret_invalid', '403'],
    ['delete', '/api/qr-sessions/{id}', 'qr_expired', '410'],
    ['post', '/api/accounts', 'username_taken', '409'],
    ['post', '/api/auth/login', 'invalid_credentials', '401'],
    ['get', '/api/admin/qr-sessions', 'forbidden', '403'],
  ])('documents %s %s answering %s', (method, path, code, status) => {
    expect(JSON.stringify(document.paths[path][method].responses[status])).toContain(`\`${code}\``);
  });

  it('documents the OAuth device grant outside /api: form-encoded requests, OAuth error bodies', () => {
    expect(document.paths['/.well-known/oauth-authorization-server']?.get).toBeDefined();
    for (const [path, form] of [
      ['/oauth/device_authorization', 'DeviceAuthorizationRequest'],
      ['/oauth/token', 'TokenRequest'],
    ]) {
      const operation = document.paths[path]?.post as unknown as { requestBody: unknown; responses: Record<string, unknown> };
      expect(operation).toBeDefined();
      expect(JSON.stringify(operation.requestBody)).toContain('application/x-www-form-urlencoded');
      expect(JSON.stringify(operation.requestBody)).toContain(`#/components/schemas/${form}`);
      // Every failure the OAuth filter can answer, each in the OAuth body.
      for (const status of ['400', '413', '429', '500', '503']) {
        expect(JSON.stringify(operation.responses[status])).toContain('#/components/schemas/OAuthErrorResponse');
      }
    }
    expect(JSON.stringify(document.paths['/oauth/token'].post.responses['400'])).toContain('`slow_down`');
    expect(Object.keys(document.components.schemas.TokenRequest.properties ?? {})).toEqual(['grant_type', 'device_code', 'client_id']);
    expect(Object.keys(document.components.schemas.DeviceTokenResponseDto.properties ?? {})).toEqual(
      expect.arrayContaining(['access_token', 'token_type', 'expires_in', 'device_id']),
    );
  });

  it('names each error code of a response once', () => {
    const repeated: string[] = [];
    for (const [path, operations] of Object.entries(document.paths)) {
      for (const [method, operation] of Object.entries(operations as Record<string, { responses?: Record<string, { description?: string }> }>)) {
        for (const [status, response] of Object.entries(operation.responses ?? {})) {
          const codes = [...(response.description ?? '').matchAll(/`([a-z_]+)`/g)].map((match) => match[1]).filter((code) => code !== 'code');
          if (new Set(codes).size !== codes.length) repeated.push(`${method.toUpperCase()} ${path} ${status}: ${response.description}`);
        }
      }
    }
    expect(repeated).toEqual([]);
  });

  it('documents the QR images as images and their errors as the JSON body of every error', () => {
    for (const [path, type] of [
      ['/api/qr-sessions/{id}/qr.svg', 'image/svg+xml'],
      ['/api/qr-sessions/{id}/qr.png', 'image/png'],
    ]) {
      const responses = document.paths[path].get!.responses as Record<string, { content?: Record<string, unknown> }>;
      expect(Object.keys(responses['200'].content ?? {})).toEqual([type]);
      expect(Object.keys(responses['404'].content ?? {})).toEqual(['application/json']);
    }
  });

  it('names the headers each protected route needs', () => {
    const scan = document.paths['/api/qr-sessions/{id}/scan'].post;
    expect(scan.security).toEqual([{ bearer: [] }]);
    expect(scan.parameters).toEqual(expect.arrayContaining([expect.objectContaining({ name: 'X-Device-Id', in: 'header' })]));
    const watch = document.paths['/api/qr-sessions/{id}'].get;
    expect(watch.parameters?.map((parameter) => parameter.name)).toEqual(expect.arrayContaining(['X-QR-Secret', 'wait', 'since', 'id']));
  });

  it('describes the contract fields of the main bodies', () => {
    const { schemas } = document.components;
    expect(Object.keys(schemas.CreatedQrSessionResponse.properties ?? {})).toEqual(
      expect.arrayContaining(['id', 'secret', 'status', 'expiresAt', 'qrContent', 'qrImage']),
    );
    expect(Object.keys(schemas.QrSessionSnapshotResponse.properties ?? {})).toEqual(
      expect.arrayContaining(['id', 'status', 'expiresAt', 'scannedAt', 'scannedBy', 'login']),
    );
    expect(Object.keys(schemas.LoginDto.properties ?? {})).toEqual(['username', 'password', 'device']);
    expect(Object.keys(schemas.ErrorBodyResponse.properties ?? {})).toEqual(['statusCode', 'code', 'message']);
  });

  it('serves Swagger UI from the app itself', async () => {
    const page = await app.http().get('/api/docs').redirects(1).expect(200);
    expect(page.text).toContain('swagger');
    const scripts = [...page.text.matchAll(/(?:src|href)="([^"]+)"/g)].map((match) => match[1]);
    expect(scripts.filter((url) => /^https?:/.test(url))).toEqual([]);
  });
});

const chromiumPath = findChromium();
(chromiumPath ? describe : describe.skip)('Swagger UI in a browser', () => {
  let app: TestApp;
  let browser: Browser;

  beforeAll(async () => {
    app = await startTestApp();
    browser = await launchBrowser(chromiumPath!);
  });
  afterAll(async () => {
    await browser?.close();
    await app?.close();
  });

  it('renders every endpoint under its Content-Security-Policy, with no outside request', async () => {
    const page = await browser.newPage();
    const external: string[] = [];
    const refused: string[] = [];
    page.on('request', (request) => {
      if (!request.url().startsWith(app.url) && !request.url().startsWith('data:')) external.push(request.url());
    });
    page.on('console', (message) => {
      if (/Content Security Policy/i.test(message.text())) refused.push(message.text());
    });
    const response = await page.goto(`${app.url}/api/docs`);
    expect(response?.headers()['content-security-policy']).toContain("script-src 'self'");
    await page.locator('.opblock-summary-path[data-path="/api/qr-sessions/{id}/confirm"]').first().waitFor();
    expect(await page.locator('.opblock').count()).toBeGreaterThanOrEqual(18);
    expect(external).toEqual([]);
    expect(refused).toEqual([]);
    await page.close();
  });
});
