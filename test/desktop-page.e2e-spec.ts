import { mkdirSync } from 'node:fs';
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
    mkdirSync('docs/screenshots', { recursive: true });
  }, 60_000);

  afterAll(async () => {
    await browser?.close();
    await app?.close();
    await shortLived?.close();
  });

  async function openPage(target: TestApp, query = ''): Promise<{ page: Page; external: string[] }> {
    const page = await browser.newPage({ viewport: { width: 900, height: 760 } });
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

  async function signInThroughPage(query: string, expectedTransport: 'websocket' | 'longpoll', screenshots: boolean): Promise<void> {
    const { page, external } = await openPage(app, query);
    try {
      await page.locator('main[data-state="qr"]').waitFor();
      const image = page.locator('#qr-image');
      expect(await image.getAttribute('src')).toMatch(/^data:image\/svg\+xml;base64,/);
      expect(await page.locator('#countdown').textContent()).toMatch(/^[0-2]:\d\d$/);
      const qrContent = (await image.getAttribute('data-qr-content'))!;
      await page.locator(`main[data-transport="${expectedTransport}"]`).waitFor();
      if (screenshots) await page.screenshot({ path: 'docs/screenshots/desktop-qr.png' });

      const phone = await phoneFor(app, 'Grace Hopper');
      const scanned = await phone.scan(qrContent);
      await page.locator('main[data-state="scanned"]').waitFor();
      expect(await page.locator('#status').textContent()).toContain('Scanned by Grace Hopper');
      if (screenshots) await page.screenshot({ path: 'docs/screenshots/desktop-scanned.png' });

      await phone.confirm(scanned.id, scanned.scanTicket);
      await page.locator('main[data-state="signed-in"][data-me="ok"]').waitFor();
      expect(await page.locator('#signed-in-as').textContent()).toBe('Grace Hopper');
      if (screenshots) await page.screenshot({ path: 'docs/screenshots/desktop-signed-in.png' });
      expect(external).toEqual([]);

      // Signing out revokes the desktop's token and brings a fresh code back.
      const signedInSession = await page.locator('main').getAttribute('data-session-id');
      await page.getByRole('button', { name: 'Sign out' }).click();
      await page.locator('main[data-state="qr"]').waitFor();
      expect(await page.locator('main').getAttribute('data-session-id')).not.toBe(signedInSession);
    } finally {
      await page.close();
    }
  }

  it('signs the desktop in over WebSocket: QR, scanned, signed in (with /api/me), signed out', async () => {
    await signInThroughPage('', 'websocket', true);
  });

  it('does the same over long-poll with ?transport=longpoll', async () => {
    await signInThroughPage('?transport=longpoll', 'longpoll', false);
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
