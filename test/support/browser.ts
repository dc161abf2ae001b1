import { existsSync } from 'node:fs';
import { chromium, type Browser, type Page } from 'playwright-core';

const CANDIDATES = [process.env.CHROMIUM_PATH, '/usr/bin/chromium', '/usr/bin/chromium-browser'].filter(Boolean) as string[];

/**
 * Debian's Chromium, driven by playwright-core (its own browser download cannot work here). It is installed by an
 * explicit step, not by the tests: scripts/install-test-tools.sh (run by the README's test command and .ci/run). Without
 * a browser the page tests are skipped with a loud message, except under CI=true, where a skip would hide a gap.
 */
export function findChromium(): string | null {
  const path = CANDIDATES.find((candidate) => existsSync(candidate)) ?? null;
  if (!path && process.env.CI) {
    throw new Error('No Chromium found under CI=true: run scripts/install-test-tools.sh (or set CHROMIUM_PATH)');
  }
  if (!path) {
    console.warn(
      '\n**********************************************************************\n' +
        '* BROWSER TESTS SKIPPED: no Chromium found (set CHROMIUM_PATH, or     *\n' +
        '* apt-get install -y chromium). The page tests did NOT run.          *\n' +
        '**********************************************************************\n',
    );
  }
  return path;
}

/** Playwright gives each launch a fresh, empty profile of its own. */
export async function launchBrowser(executablePath: string): Promise<Browser> {
  return chromium.launch({
    executablePath,
    headless: true,
    args: [
      '--no-sandbox',
      '--disable-gpu',
      '--disable-quic',
      '--no-first-run',
      '--disable-background-networking',
      '--disable-component-update',
      '--disable-sync',
    ],
  });
}

/**
 * Waits until `expression` (JavaScript, evaluated in the page) is true, checked at every frame. Not
 * `page.waitForFunction(string)`: Playwright evals that string inside the page, which the pages' CSP (no
 * 'unsafe-eval') refuses; here the expression is part of the script Playwright runs, as with `page.evaluate`.
 */
export async function waitForPageCondition(page: Page, expression: string): Promise<void> {
  await page.evaluate(`new Promise((resolve) => { const check = () => ((${expression}) ? resolve(true) : requestAnimationFrame(check)); check(); })`);
}
