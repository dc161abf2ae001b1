import type { Browser, Page } from 'playwright-core';
import { findChromium, launchBrowser, waitForPageCondition } from './support/browser';
import { DesktopSocket } from './support/desktop-socket';
import { createQrSession, scan, signUpAndLogin } from './support/factories';
import { startTestApp, type TestApp } from './support/test-app';

const chromiumPath = findChromium();
const describeInBrowser = chromiumPath ? describe : describe.skip;
const ADMIN = { username: 'page-admin', password: 'page admin password' };

/** The admin page at /admin in a real headless Chromium. */
/** Resolves once the service has answered the page's next device revocation (its tokens are revoked by then). */
function revokeAnswered(page: Page): Promise<unknown> {
  return page.waitForResponse((response) => response.request().method() === 'POST' && /\/api\/admin\/devices\/.+\/revoke$/.test(response.url()));
}

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

  /** Fills in the page's sign-in form and sends it. */
  async function signInOnPage({ username, password }: { username: string; password: string }): Promise<void> {
    await page.getByLabel('Username', { exact: true }).fill(username);
    await page.getByLabel('Password').fill(password);
    await page.getByRole('button', { name: 'Sign in' }).click();
  }

  /** The page's token and device id, as it keeps them. */
  async function pageCredentials(): Promise<{ token: string; deviceId: string }> {
    const token = await page.evaluate("sessionStorage.getItem('qr-admin-token')");
    const deviceId = await page.evaluate("localStorage.getItem('qr-admin-device-id')");
    expect(token).toEqual(expect.any(String));
    return { token: String(token), deviceId: String(deviceId) };
  }

  /** Logs a token out on the service, as another tab of the admin's or a revocation of the device would. */
  async function revokeElsewhere({ token, deviceId }: { token: string; deviceId: string }): Promise<void> {
    await app
      .http()
      .post('/api/auth/logout')
      .set({ Authorization: `Bearer ${token}`, 'X-Device-Id': deviceId })
      .expect(204);
  }

  const expectSignedOut = async () => {
    expect(await page.locator('#sign-in').isVisible()).toBe(true);
    expect(await page.locator('main').getAttribute('data-state')).toBe('signed-out');
    expect(await page.evaluate("sessionStorage.getItem('qr-admin-token')")).toBeNull();
  };

  it('refuses a non-admin account and logs its token out, rather than leaving it alive', async () => {
    const user = await signUpAndLogin(app);
    await page.getByLabel('Username', { exact: true }).fill(user.username);
    await page.getByLabel('Password').fill(user.password);
    const login = page.waitForResponse((response) => response.url().endsWith('/api/auth/login'));
    const logout = page.waitForResponse((response) => response.url().endsWith('/api/auth/logout'));
    await page.getByRole('button', { name: 'Sign in' }).click();
    const { accessToken } = (await (await login).json()) as { accessToken: string };
    expect((await logout).status()).toBe(204);
    await page.getByText('This account is not an admin; it was signed out again.').waitFor();
    expect(await page.locator('#sessions').isHidden()).toBe(true);
    expect(await page.evaluate("sessionStorage.getItem('qr-admin-token')")).toBeNull();
    const deviceId = await page.evaluate("localStorage.getItem('qr-admin-device-id')");
    const revoked = await app
      .http()
      .get('/api/me')
      .set({ Authorization: `Bearer ${accessToken}`, 'X-Device-Id': String(deviceId) })
      .expect(401);
    expect(revoked.body.code).toBe('token_revoked');
  });

  it('signs an admin in, shows a new session live, opens its timeline and revokes a device', async () => {
    await signInOnPage(ADMIN);
    await page.locator('#sessions').waitFor({ state: 'visible' });
    await page.locator('#live.on').waitFor();
    // No empty box: the account search is one line until it has results.
    expect(await page.locator('#account-list').isHidden()).toBe(true);
    expect((await page.locator('#accounts').boundingBox())!.height).toBeLessThan(120);
    await page.locator('#chart[data-confirmed]').waitFor();
    const confirmedBefore = Number(await page.locator('#chart').getAttribute('data-confirmed'));

    // A user signs a desktop in while the admin watches.
    const phone = await signUpAndLogin(app, { displayName: 'Frida Phone' });
    const longAgent = `LiveBrowser/9 (X11; Linux x86_64) ${'AppleWebKit/537.36 (KHTML, like Gecko) '.repeat(4)}Chrome/140.0 Safari/537.36`;
    const { session } = await createQrSession(app, { userAgent: longAgent });
    await page.locator(`tr[data-id="${session.id}"][data-status="pending"]`).waitFor();
    const { scanTicket } = await scan(app, phone, session.id);
    await app.http().post(`/api/qr-sessions/${session.id}/confirm`).set(phone.headers).send({ scanTicket }).expect(200);
    const row = page.locator(`tr[data-id="${session.id}"][data-status="confirmed"]`);
    await row.waitFor();
    expect(await row.textContent()).toContain('Frida Phone');
    // The chart counted the sign-in, live.
    await page.locator(`#chart[data-confirmed="${confirmedBefore + 1}"]`).waitFor();
    // A long user agent takes one line, cut with an ellipsis, whole in its title.
    const agent = row.locator('.one-line');
    expect(await agent.getAttribute('title')).toBe(longAgent);
    const agentBox = (await agent.boundingBox())!;
    expect(agentBox.height).toBeLessThan(24);
    expect(
      await page.evaluate(
        `(() => { const e = document.querySelector('tr[data-id="${session.id}"] .one-line'); return e.scrollWidth > e.clientWidth; })()`,
      ),
    ).toBe(true);

    await row.getByRole('button', { name: /Timeline/ }).click();
    await page.locator('#timeline-events li[data-type="confirmed"]').waitFor();
    const types = await page.locator('#timeline-events li').evaluateAll((items) => items.map((item) => item.getAttribute('data-type')));
    expect(types).toEqual(['created', 'scanned', 'confirmed']);
    expect(await page.locator('#timeline-events').textContent()).toContain('LiveBrowser/9');
    // The timeline opens near the top, within the first screen of the page, not below the whole list.
    expect(await page.evaluate("document.getElementById('timeline').getBoundingClientRect().top + window.scrollY")).toBeLessThan(860);

    await row.getByRole('button', { name: /Frida Phone/ }).click();
    const phoneItem = page.locator(`#device-list li[data-device-id="${phone.deviceId}"]`);
    await phoneItem.waitFor();
    page.once('dialog', (dialog) => void dialog.accept());
    const phoneRevoked = revokeAnswered(page);
    await phoneItem.getByRole('button', { name: /Revoke/ }).click();
    await phoneRevoked;
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
    // Waited for by its response: the page may still show "Revoked 1 token" from the test before.
    const revoked = revokeAnswered(page);
    await device.getByRole('button', { name: /Revoke/ }).click();
    await revoked;
    await page.getByText(/Revoked 1 token/).waitFor();
    await app.http().get('/api/me').set(user.headers).expect(401);
  }, 60_000);

  it('shows connected desktops and waiting long-polls as they come and go, and the median push delay', async () => {
    const gauge = (id: string) => page.locator(`#${id}`).textContent().then(Number);
    await page.locator('#glance[data-live-at]').waitFor();
    const desktops = await gauge('gauge-desktops');
    const longPolls = await gauge('gauge-long-polls');
    const { session } = await createQrSession(app);
    const socket = await DesktopSocket.connect(app.url, { qrId: session.id, secret: session.secret });
    const polled = await createQrSession(app);
    const held = app
      .http()
      .get(`/api/qr-sessions/${polled.session.id}?since=pending&wait=20`)
      .set('X-QR-Secret', polled.session.secret)
      .then((r) => r);
    try {
      await page.locator(`#gauge-desktops:text-is("${desktops + 1}")`).waitFor();
      await page.locator(`#gauge-long-polls:text-is("${longPolls + 1}")`).waitFor();
      const phone = await signUpAndLogin(app);
      await scan(app, phone, polled.session.id);
      await held;
      await page.locator(`#gauge-long-polls:text-is("${longPolls}")`).waitFor();
      expect(await page.locator('#gauge-push-delay').textContent()).toMatch(/^\d+(\.\d)? ms$|^\d+\.\d\d s$/);
    } finally {
      socket.close();
    }
    await page.locator(`#gauge-desktops:text-is("${desktops}")`).waitFor();
  }, 60_000);

  it('draws sign-ins per hour over 24 hours or 7 days as an SVG of its own, with no outside asset', async () => {
    expect(await page.locator('#chart-canvas svg .hour').count()).toBe(24);
    await page.getByRole('button', { name: '7 days' }).click();
    await page.locator('#chart[data-range="7d"]').waitFor();
    expect(await page.locator('#chart-canvas svg .hour').count()).toBe(168);
    expect(await page.getByRole('button', { name: '7 days' }).getAttribute('aria-pressed')).toBe('true');
    // The hour of the sign-in above has a green bar, and says what it holds when pointed at.
    const last = page.locator('#chart-canvas svg .hour').last();
    expect(await last.locator('rect.bar-confirmed').count()).toBe(1);
    expect(await last.locator('title').textContent()).toMatch(/\d+ confirmed, \d+ rejected, \d+ expired, \d+ cancelled$/);
    await page.getByRole('button', { name: '24 hours' }).click();
    await page.locator('#chart[data-range="24h"]').waitFor();
  });

  it('fits a phone-width window from 320 px up, with a timeline and devices open', async () => {
    const phone = await signUpAndLogin(app, { displayName: 'Narrow Nadia' });
    const { session } = await createQrSession(app);
    const { scanTicket } = await scan(app, phone, session.id);
    await app.http().post(`/api/qr-sessions/${session.id}/confirm`).set(phone.headers).send({ scanTicket }).expect(200);
    const row = page.locator(`tr[data-id="${session.id}"][data-status="confirmed"]`);
    await row.waitFor();
    await row.getByRole('button', { name: /Timeline/ }).click();
    await page.locator('#timeline-events li[data-type="confirmed"]').waitFor();
    await row.getByRole('button', { name: /Narrow Nadia/ }).click();
    await page.locator(`#device-list li[data-device-id="${phone.deviceId}"]`).waitFor();
    for (const width of [320, 390, 480]) {
      await page.setViewportSize({ width, height: 800 });
      // The chart draws itself again at the new width.
      await waitForPageCondition(
        page,
        `document.querySelector('#chart-canvas svg').getAttribute('width') === String(document.getElementById('chart-canvas').clientWidth)`,
      );
      const overflow = await page.evaluate(
        `Math.max(document.documentElement.scrollWidth, ...[...document.querySelectorAll('body *')].map((element) => element.getBoundingClientRect().right)) - window.innerWidth`,
      );
      expect({ width, overflow }).toEqual({ width, overflow: 0 });
    }
    await page.setViewportSize({ width: 1280, height: 860 });
  }, 60_000);

  it('left open while its token is revoked elsewhere, signs itself out at its next refresh and says so', async () => {
    await revokeElsewhere(await pageCredentials());
    // The gauges are read every 3 s: the first answer after the revocation is token_revoked.
    await page.getByText('Your admin session ended; sign in again.').waitFor();
    await expectSignedOut();
  });

  it('opened again with a token revoked meanwhile, says so and shows the sign-in form', async () => {
    await signInOnPage(ADMIN);
    await page.locator('main[data-state="signed-in"]').waitFor();
    const credentials = await pageCredentials();
    // Away from the page first: left open, it could notice the revocation itself (the test above) and forget the
    // token before it is opened again. The tab keeps its sessionStorage across the navigation, as across a reload.
    await page.goto('about:blank');
    await revokeElsewhere(credentials);
    await page.goto(`${app.url}/admin`);
    await page.getByText('Your admin session ended; sign in again.').waitFor();
    await expectSignedOut();
  });
});
