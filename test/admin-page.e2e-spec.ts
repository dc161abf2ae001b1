import { mkdirSync } from 'node:fs';
import type { Browser, Page } from 'playwright-core';
import { findChromium, launchBrowser } from './support/browser';
import { createQrSession, scan, signUpAndLogin } from './support/factories';
import { startTestApp, type TestApp } from './support/test-app';

const chromiumPath = findChromium();
const describeInBrowser = chromiumPath ? describe : describe.skip;
const ADMIN = { username: 'page-admin', password: 'page admin password' };

/** The admin page at /admin in a real headless Chromium. */
describeInBrowser('admin page', () => {
  let app: TestApp;
  let browser: Browser;
  let page: Page;
  const external: string[] = [];

  beforeAll(async () => {
    app = await startTestApp({ ADMIN_USERNAME: ADMIN.username, ADMIN_PASSWORD: ADMIN.password });
    browser = await launchBrowser(chromiumPath!);
    page = await browser.newPage({ viewport: { width: 1280, height: 860 } });
    page.on('request', (request) => {
      if (!request.url().startsWith(app.url)) external.push(request.url());
    });
    page.on('pageerror', (error) => console.error('page error:', error));
    await page.goto(`${app.url}/admin`);
  }, 60_000);

  afterAll(async () => {
    // Everything the page loaded or called, through every test, came from the app itself.
    expect(external).toEqual([]);
    await browser?.close();
    await app?.close();
  });

  it('refuses a non-admin account', async () => {
    const user = await signUpAndLogin(app);
    await page.getByLabel('Username', { exact: true }).fill(user.username);
    await page.getByLabel('Password').fill(user.password);
    await page.getByRole('button', { name: 'Sign in' }).click();
    await page.getByText('This account is not an admin.').waitFor();
    expect(await page.locator('#sessions').isHidden()).toBe(true);
  });

  it('signs an admin in, shows a new session live, opens its timeline and revokes a device', async () => {
    await page.getByLabel('Username', { exact: true }).fill(ADMIN.username);
    await page.getByLabel('Password').fill(ADMIN.password);
    await page.getByRole('button', { name: 'Sign in' }).click();
    await page.locator('#sessions').waitFor({ state: 'visible' });
    await page.locator('#live.on').waitFor();

    // A user signs a desktop in while the admin watches.
    const phone = await signUpAndLogin(app, { displayName: 'Frida Phone' });
    const { session } = await createQrSession(app, { userAgent: 'LiveBrowser/9' });
    await page.locator(`tr[data-id="${session.id}"][data-status="pending"]`).waitFor();
    const { scanTicket } = await scan(app, phone, session.id);
    await app.http().post(`/api/qr-sessions/${session.id}/confirm`).set(phone.headers).send({ scanTicket }).expect(200);
    const row = page.locator(`tr[data-id="${session.id}"][data-status="confirmed"]`);
    await row.waitFor();
    expect(await row.textContent()).toContain('Frida Phone');

    mkdirSync('docs/screenshots', { recursive: true });
    await page.screenshot({ path: 'docs/screenshots/admin-sessions.png' });

    await row.getByRole('button', { name: /Timeline/ }).click();
    await page.locator('#timeline-events li[data-type="confirmed"]').waitFor();
    const types = await page.locator('#timeline-events li').evaluateAll((items) => items.map((item) => item.getAttribute('data-type')));
    expect(types).toEqual(['created', 'scanned', 'confirmed']);
    expect(await page.locator('#timeline-events').textContent()).toContain('LiveBrowser/9');

    await row.getByRole('button', { name: /Frida Phone/ }).click();
    const phoneItem = page.locator(`#device-list li[data-device-id="${phone.deviceId}"]`);
    await phoneItem.waitFor();
    await page.screenshot({ path: 'docs/screenshots/admin-timeline-devices.png' });
    page.once('dialog', (dialog) => void dialog.accept());
    await phoneItem.getByRole('button', { name: /Revoke/ }).click();
    await page.getByText(/Revoked 1 token/).waitFor();
    const response = await app.http().get('/api/me').set(phone.headers).expect(401);
    expect(response.body.code).toBe('token_revoked');
  }, 60_000);

  it('finds an account that never scanned and signs one of its devices out', async () => {
    const user = await signUpAndLogin(app, { displayName: 'Password Only' });
    await page.getByLabel('Username or name').fill(user.username);
    await page.getByRole('button', { name: 'Find' }).click();
    const account = page.locator(`#account-list li[data-account-id="${user.login.account.id}"]`);
    await account.getByRole('button', { name: 'Devices' }).click();
    const device = page.locator(`#device-list li[data-device-id="${user.deviceId}"]`);
    await device.waitFor();
    expect(await page.evaluate('document.activeElement && document.activeElement.id')).toBe('devices-title');
    // Dismissing the confirmation changes nothing.
    page.once('dialog', (dialog) => void dialog.dismiss());
    await device.getByRole('button', { name: /Revoke/ }).click();
    await app.http().get('/api/me').set(user.headers).expect(200);
    page.once('dialog', (dialog) => void dialog.accept());
    await device.getByRole('button', { name: /Revoke/ }).click();
    await page.getByText(/Revoked 1 token/).waitFor();
    await app.http().get('/api/me').set(user.headers).expect(401);
  }, 60_000);
});
