import type { Browser, Page } from 'playwright-core';
import { findChromium, launchBrowser } from './support/browser';
import { authorizeDevice } from './support/device-grant';
import { startTestApp, TEST_PUBLIC_URL, type TestApp } from './support/test-app';

const chromiumPath = findChromium();
const describeInBrowser = chromiumPath ? describe : describe.skip;

/** GET /device, the device grant's verification_uri: where to type the code, prefilled from ?user_code=. */
describe('device sign-in page', () => {
  let app: TestApp;

  beforeAll(async () => {
    app = await startTestApp();
  });
  afterAll(() => app.close());

  it("is served at /device (no redirect) under the pages' Content-Security-Policy, with no outside asset", async () => {
    const response = await app.http().get('/device?user_code=WDJB-MJHT').expect(200);
    expect(response.headers['content-type']).toMatch(/^text\/html/);
    expect(response.headers['content-security-policy']).toContain("script-src 'self'");
    expect(response.headers['content-security-policy']).toContain("default-src 'self'");
    expect(response.text).not.toMatch(/(src|href)="(https?:)?\/\//);
    await app
      .http()
      .get('/assets/device.js')
      .expect(200)
      .expect('Content-Type', /javascript/);
  });

  describeInBrowser('in Chromium', () => {
    let browser: Browser;

    beforeAll(async () => {
      browser = await launchBrowser(chromiumPath!);
    }, 60_000);
    afterAll(() => browser?.close());

    async function open(path: string, options: { phone?: boolean } = {}): Promise<{ page: Page; external: string[]; errors: string[] }> {
      const context = await browser.newContext(options.phone ? { viewport: { width: 390, height: 800 }, hasTouch: true, isMobile: true } : {});
      const page = await context.newPage();
      const external: string[] = [];
      const errors: string[] = [];
      page.on('request', (request) => {
        if (!request.url().startsWith(app.url)) external.push(request.url());
      });
      page.on('pageerror', (error) => errors.push(String(error)));
      page.on('console', (message) => {
        if (message.type() === 'error') errors.push(message.text());
      });
      page.on('dialog', (dialog) => {
        errors.push(`dialog: ${dialog.message()}`);
        void dialog.dismiss();
      });
      await page.goto(`${app.url}${path}`);
      await page.waitForSelector('main[data-state]:not([data-state="enter"]), main[data-state="enter"]');
      return { page, external, errors };
    }

    it('shows the code of verification_uri_complete, prefilled, with the steps on the phone and the CLI command', async () => {
      const grant = await authorizeDevice(app);
      const { page, external, errors } = await open(grant.verification_uri_complete.replace(TEST_PUBLIC_URL, ''));
      try {
        await page.waitForSelector('main[data-state="code"]');
        expect(await page.textContent('#user-code')).toBe(grant.user_code);
        expect(await page.inputValue('#user-code-input')).toBe(grant.user_code);
        expect(await page.textContent('#cli-command')).toBe(`npm run mobile -- code ${grant.user_code}`);
        expect(await page.isVisible('#on-this-phone')).toBe(false);
        expect(await page.innerText('ol.steps')).toContain(`type ${grant.user_code}`);
        expect(external).toEqual([]);
        expect(errors).toEqual([]);
      } finally {
        await page.context().close();
      }
    });

    it('reads the code in any case, without the dash, and on a phone says how to open the app with it', async () => {
      const { page, errors } = await open('/device?user_code=wdjbmjht', { phone: true });
      try {
        await page.waitForSelector('main[data-state="code"]');
        expect(await page.textContent('#user-code')).toBe('WDJB-MJHT');
        expect(await page.isVisible('#on-this-phone')).toBe(true);
        expect(await page.innerText('#on-this-phone')).toContain('open the QR login app, tap Enter a code and type WDJB-MJHT');
        expect(errors).toEqual([]);
      } finally {
        await page.context().close();
      }
    });

    it('takes a code typed into its form, and refuses what is not a code without running it', async () => {
      const { page, errors } = await open('/device');
      try {
        expect(await page.getAttribute('main', 'data-state')).toBe('enter');
        expect(await page.isVisible('#code-panel')).toBe(false);
        await page.fill('#user-code-input', 'bcdf ghjk');
        await page.click('#code-form button');
        await page.waitForSelector('main[data-state="code"]');
        expect(await page.textContent('#user-code')).toBe('BCDF-GHJK');
        expect(new URL(page.url()).search).toBe('?user_code=BCDF-GHJK');

        await page.goto(`${app.url}/device?user_code=${encodeURIComponent('<img src=x onerror=alert(1)>')}`);
        await page.waitForSelector('main[data-state="invalid"]');
        expect(await page.isVisible('#invalid')).toBe(true);
        expect(await page.isVisible('#code-panel')).toBe(false);
        expect(await page.$('main img')).toBeNull();
        expect(errors).toEqual([]);
      } finally {
        await page.context().close();
      }
    });
  });
});
