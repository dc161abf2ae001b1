/**
 * `npm run screenshots`: refreshes the README's pictures in docs/screenshots from the real pages in Chromium, on a
 * real app and database (the test support's), with phones played by the SDK. Not a test: `npm test` never runs it
 * (the `screenshots` Jest project exists only under SCREENSHOTS=1). Jest runs it for the TypeScript, the SDK and the
 * throw-away database it shares with the tests.
 */
import { mkdirSync } from 'node:fs';
import type { Browser, Page } from 'playwright-core';
import { QrMobileClient } from '@app/sdk';
import { findChromium, launchBrowser, waitForPageCondition } from '../support/browser';
import { DesktopSocket } from '../support/desktop-socket';
import { createQrSession, signUpAndLogin, uniqueName } from '../support/factories';
import { startTestApp, type TestApp } from '../support/test-app';

const OUT = 'docs/screenshots';
const ADMIN = { username: 'admin', password: 'screenshots admin password' };
const PASSWORD = 'correct horse battery';

const chromiumPath = findChromium();
if (!chromiumPath) throw new Error('npm run screenshots needs Chromium (apt-get install chromium, or CHROMIUM_PATH)');

describe('README screenshots', () => {
  let app: TestApp;
  let shortLived: TestApp;
  let browser: Browser;

  beforeAll(async () => {
    app = await startTestApp({ ADMIN_USERNAME: ADMIN.username, ADMIN_PASSWORD: ADMIN.password });
    shortLived = await startTestApp({ QR_TTL_SECONDS: '3' });
    browser = await launchBrowser(chromiumPath!);
    mkdirSync(OUT, { recursive: true });
  }, 60_000);

  afterAll(async () => {
    await browser?.close();
    await app?.close();
    await shortLived?.close();
  });

  async function phone(target: TestApp, displayName: string, username = uniqueName('user')): Promise<QrMobileClient> {
    const client = new QrMobileClient({ baseUrl: target.url });
    await client.createAccount({ username, password: PASSWORD, displayName });
    await client.login(username, PASSWORD, { id: uniqueName('phone'), type: 'ios', name: 'iPhone 17' });
    return client;
  }

  async function desktopPage(target: TestApp, width = 900, height = 760): Promise<{ page: Page; qrContent: string }> {
    const page = await browser.newPage({ viewport: { width, height } });
    await page.goto(`${target.url}/`);
    await page.locator('main[data-state="qr"]').waitFor();
    return { page, qrContent: (await page.locator('#qr-image').getAttribute('data-qr-content'))! };
  }

  it('desktop page: QR, scanned, signed in, rejected, renewed, and at phone width', async () => {
    const grace = await phone(app, 'Grace Hopper', 'grace');
    const { page, qrContent } = await desktopPage(app);
    await page.screenshot({ path: `${OUT}/desktop-qr.png` });
    const scanned = await grace.scan(qrContent);
    await page.locator('main[data-state="scanned"]').waitFor();
    await page.screenshot({ path: `${OUT}/desktop-scanned.png` });
    await grace.confirm(scanned.id, scanned.scanTicket);
    await page.locator('main[data-state="signed-in"][data-me="ok"]').waitFor();
    await page.screenshot({ path: `${OUT}/desktop-signed-in.png` });
    await page.close();

    const rejected = await desktopPage(app);
    const ada = await phone(app, 'Ada Lovelace', 'ada');
    const adaScan = await ada.scan(rejected.qrContent);
    await rejected.page.locator('main[data-state="scanned"]').waitFor();
    await ada.reject(adaScan.id, adaScan.scanTicket);
    await rejected.page.locator('main[data-state="ended"]').waitFor();
    await rejected.page.screenshot({ path: `${OUT}/desktop-rejected.png` });
    await rejected.page.close();

    const renewed = await desktopPage(shortLived);
    const first = await renewed.page.locator('#qr-image').getAttribute('data-session-id');
    await renewed.page.locator(`#qr-image[data-session-id]:not([data-session-id="${first}"])`).waitFor({ timeout: 15_000 });
    await renewed.page.screenshot({ path: `${OUT}/desktop-renewed.png` });
    await renewed.page.close();

    const narrow = await desktopPage(app, 390, 760);
    await narrow.page.screenshot({ path: `${OUT}/desktop-narrow.png` });
    await narrow.page.close();
  }, 60_000);

  it('admin page: at a glance with a day of sign-ins, a timeline and devices, and at phone width', async () => {
    await seedDayOfSignIns(app);
    // Something to see in the gauges: a desktop watching over Socket.IO and one long-polling.
    const watching = await createQrSession(app);
    const socket = await DesktopSocket.connect(app.url, { qrId: watching.session.id, secret: watching.session.secret });
    const polling = await createQrSession(app);
    const held = app
      .http()
      .get(`/api/qr-sessions/${polling.session.id}?since=pending&wait=30`)
      .set('X-QR-Secret', polling.session.secret)
      .then((r) => r);
    // The latest sign-in, whose timeline and devices the admin opens.
    const linus = await phone(app, 'Linus Torvalds', 'linus');
    const { session } = await createQrSession(app, {
      userAgent: 'Mozilla/5.0 (X11; Linux x86_64) AppleWebKit/537.36 (KHTML, like Gecko) Chrome/142.0.0.0 Safari/537.36',
    });
    const scan = await linus.scan(session.qrContent);
    await linus.confirm(scan.id, scan.scanTicket);

    const page = await browser.newPage({ viewport: { width: 1280, height: 900 } });
    try {
      await page.goto(`${app.url}/admin`);
      await page.getByLabel('Username', { exact: true }).fill(ADMIN.username);
      await page.getByLabel('Password').fill(ADMIN.password);
      await page.getByRole('button', { name: 'Sign in' }).click();
      await page.locator('#live.on').waitFor();
      await page.locator('#gauge-desktops:not(:text-is("0"))').waitFor();
      await page.locator('#chart-canvas svg').waitFor();
      await page.locator('#glance').screenshot({ path: `${OUT}/admin-chart.png` });

      const row = page.locator(`tr[data-id="${session.id}"]`);
      await row.getByRole('button', { name: /Timeline/ }).click();
      await page.locator('#timeline-events li[data-type="confirmed"]').waitFor();
      await row.getByRole('button', { name: /Linus Torvalds/ }).click();
      await page.locator('#device-list li').first().waitFor();
      await page.evaluate('window.scrollTo(0, 0)');
      await page.screenshot({ path: `${OUT}/admin-timeline-devices.png` });

      await page.setViewportSize({ width: 390, height: 844 });
      await waitForPageCondition(
        page,
        `document.querySelector('#chart-canvas svg').getAttribute('width') === String(document.getElementById('chart-canvas').clientWidth)`,
      );
      await page.evaluate('window.scrollTo(0, 0)');
      await page.screenshot({ path: `${OUT}/admin-narrow.png` });
    } finally {
      await page.close();
      socket.close();
      await held;
    }
  }, 120_000);
});

/**
 * A day of sign-ins for the chart: real sessions through the real API (confirmed, rejected, cancelled, and expired by
 * the service itself), then moved back in time, a few to each of the last 24 hours, busier by day. Screenshots only.
 */
async function seedDayOfSignIns(app: TestApp): Promise<void> {
  const phones = await Promise.all(['Alice', 'Bob', 'Carol'].map((name) => signUpAndLogin(app, { displayName: name })));
  const outcomes = [
    'confirmed',
    'confirmed',
    'confirmed',
    'rejected',
    'confirmed',
    'expired',
    'confirmed',
    'cancelled',
    'confirmed',
    'expired',
  ] as const;
  const placed: Array<{ id: string; hoursAgo: number }> = [];
  const expiring: string[] = [];
  for (let hoursAgo = 1; hoursAgo < 24; hoursAgo++) {
    const hourOfDay = new Date(Date.now() - hoursAgo * 3_600_000).getHours();
    const count = hourOfDay >= 8 && hourOfDay <= 19 ? 2 + ((hoursAgo * 7) % 4) : (hoursAgo % 3) % 2;
    for (let i = 0; i < count; i++) {
      const outcome = outcomes[(hoursAgo * 3 + i) % outcomes.length];
      const phone = phones[(hoursAgo + i) % phones.length];
      const { session } = await createQrSession(app);
      placed.push({ id: session.id, hoursAgo });
      if (outcome === 'expired') {
        expiring.push(session.id);
        continue;
      }
      if (outcome === 'cancelled') {
        await app.http().delete(`/api/qr-sessions/${session.id}`).set('X-QR-Secret', session.secret).expect(200);
        continue;
      }
      const scanned = await app.http().post(`/api/qr-sessions/${session.id}/scan`).set(phone.headers).expect(200);
      const verb = outcome === 'confirmed' ? 'confirm' : 'reject';
      await app.http().post(`/api/qr-sessions/${session.id}/${verb}`).set(phone.headers).send({ scanTicket: scanned.body.scanTicket }).expect(200);
    }
  }
  // Expired by the service's own sweep, once their time is made to be up.
  await app.dataSource.query(`UPDATE qr_sessions SET expires_at = now() WHERE id = ANY($1)`, [expiring]);
  for (let tries = 0; ; tries++) {
    const [{ open }] = await app.dataSource.query(`SELECT count(*)::int AS open FROM qr_sessions WHERE id = ANY($1) AND status <> 'expired'`, [
      expiring,
    ]);
    if (open === 0) break;
    if (tries > 100) throw new Error('the sessions did not expire');
    await new Promise((resolve) => setTimeout(resolve, 100));
  }
  for (const { id, hoursAgo } of placed) {
    const shift = `${hoursAgo} hours ${(hoursAgo * 13) % 50} minutes`;
    await app.dataSource.query(
      `UPDATE qr_sessions SET created_at = created_at - $2::interval, expires_at = expires_at - $2::interval,
              scanned_at = scanned_at - $2::interval, confirmed_at = confirmed_at - $2::interval, rejected_at = rejected_at - $2::interval,
              cancelled_at = cancelled_at - $2::interval, expired_at = expired_at - $2::interval,
              scan_ticket_expires_at = scan_ticket_expires_at - $2::interval, scan_ticket_used_at = scan_ticket_used_at - $2::interval
        WHERE id = $1`,
      [id, shift],
    );
    await app.dataSource.query(`UPDATE qr_session_events SET occurred_at = occurred_at - $2::interval WHERE qr_session_id = $1`, [id, shift]);
  }
}
