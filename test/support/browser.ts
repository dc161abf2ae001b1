import { execFileSync } from 'node:child_process';
import { existsSync } from 'node:fs';
import { chromium, type Browser } from 'playwright-core';

const CANDIDATES = [process.env.CHROMIUM_PATH, '/usr/bin/chromium', '/usr/bin/chromium-browser'].filter(Boolean) as string[];

/**
 * Debian's Chromium, driven by playwright-core (its own browser download cannot work here). When it is missing and we
 * are root with apt, it is installed; when no browser can be had, the browser tests are skipped with a loud message.
 */
export function findChromium(): string | null {
  const found = () => CANDIDATES.find((path) => existsSync(path)) ?? null;
  if (found()) return found();
  if (process.getuid?.() === 0 && existsSync('/usr/bin/apt-get')) {
    try {
      console.warn('[browser tests] installing Debian chromium (apt-get install chromium)...');
      execFileSync('apt-get', ['install', '-y', '-qq', 'chromium'], { stdio: 'ignore', env: { ...process.env, DEBIAN_FRONTEND: 'noninteractive' } });
    } catch {
      try {
        execFileSync('apt-get', ['update', '-qq'], { stdio: 'ignore' });
        execFileSync('apt-get', ['install', '-y', '-qq', 'chromium'], { stdio: 'ignore', env: { ...process.env, DEBIAN_FRONTEND: 'noninteractive' } });
      } catch {
        // fall through to the skip below
      }
    }
  }
  const path = found();
  if (!path) {
    console.warn('\n**********************************************************************\n' +
      '* BROWSER TESTS SKIPPED: no Chromium found (set CHROMIUM_PATH, or     *\n' +
      '* apt-get install chromium). The page tests did NOT run.             *\n' +
      '**********************************************************************\n');
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
