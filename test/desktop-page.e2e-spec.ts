import type { Browser, Page } from 'playwright-core';
import { QrMobileClient } from '@app/sdk';
import { findChromium, launchBrowser } from './support/browser';
import { uniqueName } from './support/factories';
import { startTestApp, type TestApp } from './support/test-app';

const chromiumPath = findChromium();
const describeInBrowser = chromiumPath ? describe : describe.skip;

/** The desktop page at / in a real headless Chromium; the phone is played by the SDK. */
describeInBrowser('desktop page', () => {
  let app: TestApp;
  let shortLived: TestApp;
  let browser: Browser;

  beforeAll(async () => {
    app = await startTestApp();
    shortLived = await startTestApp({ QR_TTL_SECONDS: '2' });
    browser = await launchBrowser(chromiumPath!);
  }, 60_000);

  afterAll(async () => {
    await browser?.close();
    await app?.close();
    await shortLived?.close();
  });

  /** Pages whose POST /api/qr-sessions answers 503 service_unavailable (as a service whose database is down). */
  const failingCreations = new Set<Page>();

  async function openPage(
    target: TestApp,
    query = '',
    options: { fakeClock?: boolean; failCreation?: boolean } = {},
  ): Promise<{ page: Page; external: string[] }> {
    const page = await browser.newPage({ viewport: { width: 900, height: 760 } });
    if (options.fakeClock) await page.clock.install();
    if (options.failCreation) {
      failingCreations.add(page);
      await page.route(
        (url) => url.pathname === '/api/qr-sessions',
        (route) =>
          failingCreations.has(page) && route.request().method() === 'POST'
            ? route.fulfill({
                status: 503,
                contentType: 'application/json',
                body: JSON.stringify({ statusCode: 503, code: 'service_unavailable', message: 'The database is unreachable.' }),
              })
            : route.continue(),
      );
    }
    const external: string[] = [];
    page.on('request', (request) => {
      if (!request.url().startsWith(target.url) && !request.url().startsWith('data:')) external.push(request.url());
    });
    page.on('pageerror', (error) => console.error('page error:', error));
    await page.goto(`${target.url}/${query}`);
    return { page, external };
  }

  async function phoneFor(target: TestApp, displayName: string): Promise<QrMobileClient> {
    const phone = new QrMobileClient({ baseUrl: target.url });
    const username = uniqueName('page-user');
    await phone.createAccount({ username, password: 'correct horse battery', displayName });
    await phone.login(username, 'correct horse battery', { id: uniqueName('phone'), type: 'android', name: 'Pixel' });
    return phone;
  }

  /**
   * The text a sighted user sees in the page's card: without hidden panels and without the status region, which only
   * screen readers hear (a string expression: no DOM types here).
   */
  function visibleText(page: Page): Promise<string> {
    return page.evaluate(`(() => {
      const copy = document.getElementById('desktop').cloneNode(true);
      copy.querySelectorAll('[hidden], .visually-hidden').forEach((element) => element.remove());
      return copy.textContent.replace(/\\s+/g, ' ');
    })()`) as Promise<string>;
  }

  /** How often `text` appears in what a sighted user sees. */
  async function timesShown(page: Page, text: string): Promise<number> {
    return (await visibleText(page)).split(text).length - 1;
  }

  /** How far the page reaches past the right edge of its window, in CSS pixels (0 when it fits). */
  function overflow(page: Page): Promise<number> {
    return page.evaluate(
      `Math.max(document.documentElement.scrollWidth, document.body.scrollWidth, ...[...document.querySelectorAll('body *')].map((element) => element.getBoundingClientRect().right)) - window.innerWidth`,
    ) as Promise<number>;
  }

  /** The id of the element that has the focus in the page (a string expression: no DOM types here). */
  function focusedId(page: Page): Promise<unknown> {
    return page.evaluate("document.activeElement ? document.activeElement.id : ''");
  }

  /** The login the page keeps in sessionStorage, parsed. */
  async function savedLogin(page: Page): Promise<{ accessToken: string; device: { id: string } } | null> {
    const text = await page.evaluate("sessionStorage.getItem('qr-login.login')");
    return typeof text === 'string' ? JSON.parse(text) : null;
  }

  /** Opens the page, has a new phone scan and confirm its QR, and waits until the page checked the token. */
  async function signedInPage(target: TestApp, displayName: string): Promise<Page> {
    const { page } = await openPage(target);
    await page.locator('main[data-state="qr"]').waitFor();
    const qrContent = (await page.locator('#qr-image').getAttribute('data-qr-content'))!;
    const phone = await phoneFor(target, displayName);
    const scanned = await phone.scan(qrContent);
    await page.locator('main[data-state="scanned"]').waitFor();
    await phone.confirm(scanned.id, scanned.scanTicket);
    await page.locator('main[data-state="signed-in"][data-me="ok"]').waitFor();
    return page;
  }

  async function signInThroughPage(query: string, expectedTransport: 'websocket' | 'longpoll'): Promise<void> {
    const { page, external } = await openPage(app, query);
    try {
      await page.locator('main[data-state="qr"]').waitFor();
      // Nothing that holds the status region is ever marked busy (aria-busy would mute its announcements).
      expect(await page.evaluate("document.getElementById('status').closest('[aria-busy]') === null")).toBe(true);
      expect((await app.http().get('/').expect(200)).text).not.toMatch(/aria-busy\s*=/);
      const image = page.locator('#qr-image');
      expect(await image.getAttribute('src')).toMatch(/^data:image\/svg\+xml;base64,/);
      expect(await page.locator('#countdown').textContent()).toMatch(/^[0-2]:\d\d$/);
      const qrContent = (await image.getAttribute('data-qr-content'))!;
      await page.locator(`main[data-transport="${expectedTransport}"]`).waitFor();
      // Said in a person's words: no transport names, no "code link", one headline that is also the tab's title.
      expect(await visibleText(page)).not.toMatch(/WebSocket|long-poll|Code link/i);
      expect(await timesShown(page, 'Sign in with your phone')).toBe(1);
      expect(await page.title()).toBe('Sign in with your phone · QR login');

      const phone = await phoneFor(app, 'Grace Hopper');
      const scanned = await phone.scan(qrContent);
      await page.locator('main[data-state="scanned"]').waitFor();
      expect(await page.locator('#status').textContent()).toContain('Scanned by Grace Hopper');
      // The username beside the display name (display names can imitate one another), each said once.
      expect(await page.locator('#scanned-username').textContent()).toMatch(/^@page-user-[0-9a-f]+$/);
      expect(await timesShown(page, 'Grace Hopper')).toBe(1);
      expect(await page.locator('#title').textContent()).toBe('Confirm on your phone');

      await phone.confirm(scanned.id, scanned.scanTicket);
      await page.locator('main[data-state="signed-in"][data-me="ok"]').waitFor();
      expect(await page.locator('#title').textContent()).toBe('Signed in as Grace Hopper');
      expect(await page.title()).toBe('Signed in as Grace Hopper · QR login');
      expect(await timesShown(page, 'Grace Hopper')).toBe(1);
      expect(await page.locator('#signed-in-username').textContent()).toMatch(/^@page-user-/);
      expect(await focusedId(page)).toBe('title');
      expect(external).toEqual([]);

      // Signing out revokes the desktop's token and brings a fresh code back, with the focus on it.
      const login = (await savedLogin(page))!;
      expect(login.accessToken).toEqual(expect.any(String));
      await app
        .http()
        .get('/api/me')
        .set({ Authorization: `Bearer ${login.accessToken}`, 'X-Device-Id': login.device.id })
        .expect(200);
      const signedInSession = await page.locator('main').getAttribute('data-session-id');
      await page.getByRole('button', { name: 'Sign out' }).click();
      await page.locator('main[data-state="qr"]').waitFor();
      expect(await page.locator('main').getAttribute('data-session-id')).not.toBe(signedInSession);
      expect(await focusedId(page)).toBe('title');
      expect(await page.title()).toBe('Sign in with your phone · QR login');
      expect(await savedLogin(page)).toBeNull();
      const revoked = await app
        .http()
        .get('/api/me')
        .set({ Authorization: `Bearer ${login.accessToken}`, 'X-Device-Id': login.device.id })
        .expect(401);
      expect(revoked.body.code).toBe('token_revoked');
    } finally {
      await page.close();
    }
  }

  it('signs the desktop in over WebSocket: QR, scanned, signed in (with /api/me), signed out', async () => {
    await signInThroughPage('', 'websocket');
  });

  it('does the same over long-poll with ?transport=longpoll', async () => {
    await signInThroughPage('?transport=longpoll', 'longpoll');
  });

  it('renews the QR by itself when it expires', async () => {
    const { page } = await openPage(shortLived);
    try {
      await page.locator('main[data-state="qr"]').waitFor();
      const first = await page.locator('#qr-image').getAttribute('data-session-id');
      await page.locator(`#qr-image[data-session-id]:not([data-session-id="${first}"])`).waitFor({ timeout: 10_000 });
      const second = await page.locator('#qr-image').getAttribute('data-session-id');
      expect(second).not.toBe(first);
      expect(await page.locator('main').getAttribute('data-state')).toBe('qr');
      const [row] = await shortLived.dataSource.query('SELECT status FROM qr_sessions WHERE id = $1', [first]);
      expect(row.status).toBe('expired');
    } finally {
      await page.close();
    }
  });

  it('shows the ended state when the phone rejects, and a new code on request, with the focus on it', async () => {
    const { page } = await openPage(app);
    try {
      await page.locator('main[data-state="qr"]').waitFor();
      const qrContent = (await page.locator('#qr-image').getAttribute('data-qr-content'))!;
      const rejectedSession = await page.locator('#qr-image').getAttribute('data-session-id');
      const phone = await phoneFor(app, 'Ada Lovelace');
      const scanned = await phone.scan(qrContent);
      await page.locator('main[data-state="scanned"]').waitFor();
      await phone.reject(scanned.id, scanned.scanTicket);
      await page.locator('main[data-state="ended"]').waitFor();
      expect(await page.locator('#title').textContent()).toBe('Sign-in rejected');
      expect(await page.locator('#status').textContent()).toContain('Sign-in rejected');
      expect(await timesShown(page, 'Sign-in rejected')).toBe(1);
      expect(await timesShown(page, 'rejected')).toBe(1);
      expect(await page.locator('main').getAttribute('data-me')).toBeNull();
      expect(await savedLogin(page)).toBeNull();
      const [row] = await app.dataSource.query('SELECT status FROM qr_sessions WHERE id = $1', [rejectedSession]);
      expect(row.status).toBe('rejected');

      await page.getByRole('button', { name: 'Show a new code' }).click();
      await page.locator(`main[data-state="qr"]:not([data-session-id="${rejectedSession}"])`).waitFor();
      expect(await focusedId(page)).toBe('title');
    } finally {
      await page.close();
    }
  });

  it('goes back to a fresh QR after a reload when the saved login is no longer accepted', async () => {
    const page = await signedInPage(app, 'Katherine Johnson');
    try {
      const login = (await savedLogin(page))!;
      const signedInSession = await page.locator('main').getAttribute('data-session-id');
      // Still good: a reload keeps the desktop signed in.
      await page.reload();
      await page.locator('main[data-state="signed-in"][data-me="ok"]').waitFor();

      // Revoked elsewhere (here: the token's own logout): the reload forgets it and shows a new code.
      await app
        .http()
        .post('/api/auth/logout')
        .set({ Authorization: `Bearer ${login.accessToken}`, 'X-Device-Id': login.device.id })
        .expect(204);
      await page.reload();
      await page.locator(`main[data-state="qr"]:not([data-session-id="${signedInSession}"])`).waitFor();
      expect(await savedLogin(page)).toBeNull();
      expect(await page.locator('main').getAttribute('data-me')).toBeNull();

      // A saved token that is not a token at all (unauthorized) goes the same way.
      await page.evaluate(`sessionStorage.setItem('qr-login.login', ${JSON.stringify(JSON.stringify({ ...login, accessToken: 'not-a-token' }))})`);
      await page.reload();
      await page.locator('main[data-state="qr"]').waitFor();
      expect(await savedLogin(page)).toBeNull();
    } finally {
      await page.close();
    }
  });

  it('starts over by itself after a failure that may pass, e.g. the service answering 503 for minutes', async () => {
    const { page } = await openPage(app, '', { fakeClock: true, failCreation: true });
    try {
      // The SDK retries the creation with backoff for 3 minutes (of the page's fake clock), then reports the error.
      for (let i = 0; i < 60 && (await page.locator('main').getAttribute('data-state')) !== 'error'; i++) {
        await page.clock.runFor(16_000);
        await new Promise((resolve) => setTimeout(resolve, 50));
      }
      await page.locator('main[data-state="error"]').waitFor();
      expect(await page.locator('#status').textContent()).toContain('service_unavailable');
      expect(await page.locator('main').getAttribute('data-auto-restart')).toBe('10000');
      await expect(page.getByRole('button', { name: 'Show a new code' }).isVisible()).resolves.toBe(true);

      // The service is back: without a click, the page shows a new code once the pause is over.
      failingCreations.delete(page);
      await page.clock.runFor(10_000);
      await page.locator('main[data-state="qr"]').waitFor();
      expect(await page.locator('#qr-image').getAttribute('data-session-id')).toEqual(expect.any(String));
    } finally {
      await page.close();
    }
  });

  it('fits a phone-width window from 320 px up in every state, and keeps the device id in one piece', async () => {
    const { page } = await openPage(app);
    const widths = [320, 390, 480];
    const fits = async (state: string) => {
      for (const width of widths) {
        await page.setViewportSize({ width, height: 720 });
        expect({ state, width, overflow: await overflow(page) }).toEqual({ state, width, overflow: 0 });
      }
    };
    try {
      await page.locator('main[data-state="qr"]').waitFor();
      await fits('qr');
      const qrContent = (await page.locator('#qr-image').getAttribute('data-qr-content'))!;
      // A display name with no place to break, the longest username the service takes.
      const phone = new QrMobileClient({ baseUrl: app.url });
      const username = `n${'x'.repeat(54)}${uniqueName('').slice(1)}`.slice(0, 64);
      await phone.createAccount({ username, password: 'correct horse battery', displayName: 'Wolfeschlegelsteinhausenbergerdorff' });
      await phone.login(username, 'correct horse battery', { id: uniqueName('phone'), type: 'android', name: 'Pixel' });
      const scanned = await phone.scan(qrContent);
      await page.locator('main[data-state="scanned"]').waitFor();
      await fits('scanned');
      await phone.confirm(scanned.id, scanned.scanTicket);
      await page.locator('main[data-state="signed-in"][data-me="ok"]').waitFor();
      await fits('signed-in');
      // The device id is one word: it never breaks over two lines.
      for (const width of widths) {
        await page.setViewportSize({ width, height: 720 });
        const lines = await page.evaluate(`document.getElementById('device-id').getClientRects().length`);
        const height = await page.evaluate(`document.getElementById('device-id').getBoundingClientRect().height`);
        const lineHeight = await page.evaluate(`parseFloat(getComputedStyle(document.getElementById('device-id')).lineHeight) || 20`);
        expect({ width, lines, twoLines: (height as number) > (lineHeight as number) * 1.5 }).toEqual({ width, lines: 1, twoLines: false });
      }
      await page.getByRole('button', { name: 'Sign out' }).click();
      await page.locator('main[data-state="qr"]').waitFor();
      await fits('qr after sign-out');
    } finally {
      await page.close();
    }
  });

  it('tells a phone that opened the code with its camera what to do, and answers a bad link with a page', async () => {
    const page = await browser.newPage({ viewport: { width: 320, height: 640 } });
    const failed: string[] = [];
    page.on('response', (response) => {
      if (response.status() >= 400) failed.push(`${response.status()} ${response.url()}`);
    });
    try {
      const { session } = await (async () => {
        const created = await app
          .http()
          .post('/api/qr-sessions')
          .send({ device: { id: uniqueName('desk'), type: 'web' } })
          .expect(201);
        return { session: created.body as { id: string } };
      })();
      await page.goto(`${app.url}/q/${session.id}`);
      expect(await page.locator('h1').textContent()).toBe('Scan this code with the QR login app');
      expect(await page.locator('body').textContent()).toContain('Open the QR login app on this phone.');
      // No dead end: no link into an app scheme the phone may not have.
      expect(await page.locator('a').count()).toBe(0);
      expect(await overflow(page)).toBe(0);
      expect(failed).toEqual([]);

      const bad = await page.goto(`${app.url}/q/not-a-sign-in-code`);
      expect(bad?.status()).toBe(400);
      expect(bad?.headers()['content-type']).toMatch(/^text\/html/);
      expect(await page.locator('h1').textContent()).toBe('This link is not a sign-in code');
      expect(await overflow(page)).toBe(0);
    } finally {
      await page.close();
    }
  });

  it('serves a real icon, so that no page answers a 404 for /favicon.ico', async () => {
    const ico = await app.http().get('/favicon.ico').buffer(true).expect(200);
    expect(ico.headers['content-type']).toMatch(/^image\/(x-icon|vnd\.microsoft\.icon)$/);
    // An ICO header (reserved 0, type 1) holding one 32x32 PNG.
    expect((ico.body as Buffer).subarray(0, 4)).toEqual(Buffer.from([0, 0, 1, 0]));
    expect((ico.body as Buffer).subarray(22, 26)).toEqual(Buffer.from([0x89, 0x50, 0x4e, 0x47]));
    const svg = await app.http().get('/favicon.svg').buffer(true).expect(200);
    expect(svg.headers['content-type']).toMatch(/^image\/svg\+xml/);
    // Every page names the icon (headless Chromium does not fetch icons itself), and nothing it loads fails.
    for (const path of ['/', '/admin', `/q/${'A'.repeat(22)}`]) {
      const page = await browser.newPage();
      const failed: string[] = [];
      page.on('response', (response) => {
        if (response.status() >= 400) failed.push(`${response.status()} ${response.url()}`);
      });
      try {
        await page.goto(`${app.url}${path}`);
        const href = await page.locator('link[rel="icon"]').getAttribute('href');
        expect({ path, href }).toEqual({ path, href: '/favicon.svg' });
        expect({ path, failed }).toEqual({ path, failed: [] });
      } finally {
        await page.close();
      }
    }
  });

  it('keeps a stable device id in local storage across visits', async () => {
    const context = await browser.newContext();
    const page = await context.newPage();
    try {
      await page.goto(`${app.url}/`);
      await page.locator('main[data-state="qr"]').waitFor();
      const first = await page.evaluate("localStorage.getItem('qr-login.device-id')");
      await page.reload();
      await page.locator('main[data-state="qr"]').waitFor();
      expect(await page.evaluate("localStorage.getItem('qr-login.device-id')")).toBe(first);
      const sessionId = await page.locator('#qr-image').getAttribute('data-session-id');
      const [row] = await app.dataSource.query('SELECT desktop_client_device_id FROM qr_sessions WHERE id = $1', [sessionId]);
      expect(row.desktop_client_device_id).toBe(first);
    } finally {
      await context.close();
    }
  });
});
