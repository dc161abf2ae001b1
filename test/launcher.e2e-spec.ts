import { spawn } from 'node:child_process';
import { mkdirSync, mkdtempSync, rmSync, utimesSync, writeFileSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { dirname, join } from 'node:path';
import pg from 'pg';
import { freePort } from '@app/database';
// @ts-expect-error: a plain ES module script without types
import { stampOf, staleReason, TARGETS } from '../scripts/launch.mjs';
import { childProcesses, isAlive, ROOT } from './support/service-process';
import { createTestDatabase, type TestDatabase } from './support/test-database';
import { TEST_ENV } from './support/test-env';

const BUILD_LOCK = 72_519_002;

interface Run {
  pid: number;
  output(): string;
  exited: Promise<{ code: number | null; signal: NodeJS.Signals | null }>;
}

function npm(args: string[], env: Record<string, string>): Run {
  const child = spawn('npm', args, {
    cwd: ROOT,
    env: { PATH: process.env.PATH ?? '', HOME: process.env.HOME ?? '', ...env },
    stdio: ['ignore', 'pipe', 'pipe'],
  });
  let output = '';
  child.stdout.on('data', (chunk) => (output += chunk));
  child.stderr.on('data', (chunk) => (output += chunk));
  return {
    pid: child.pid!,
    output: () => output,
    exited: new Promise((resolveExit) => child.once('exit', (code, signal) => resolveExit({ code, signal }))),
  };
}

/** Every descendant of `pid` (read from /proc). */
function descendants(pid: number): number[] {
  const direct = childProcesses(pid, '');
  return [...direct, ...direct.flatMap(descendants)];
}

describe('the launcher behind npm start and npm run mobile', () => {
  it('knows when a build is needed: outputs missing, no record, or an input newer than the last build', () => {
    const base = mkdtempSync(join(tmpdir(), 'qr-launch-'));
    try {
      expect(staleReason('api', base)).toBe('dist/apps/api/src/main.js is missing');
      for (const output of TARGETS.api.outputs as string[]) {
        mkdirSync(dirname(join(base, output)), { recursive: true });
        writeFileSync(join(base, output), '');
      }
      mkdirSync(join(base, 'libs/tokens/src'), { recursive: true });
      writeFileSync(join(base, 'libs/tokens/src/tokens.service.ts'), '');
      expect(staleReason('api', base)).toBe('no record of a previous build');
      writeFileSync(stampOf('api', base), '');
      const now = Date.now() / 1000;
      utimesSync(join(base, 'libs/tokens/src/tokens.service.ts'), now - 60, now - 60);
      utimesSync(join(base, 'libs/tokens/src'), now - 60, now - 60);
      utimesSync(join(base, 'libs/tokens'), now - 60, now - 60);
      utimesSync(join(base, 'libs'), now - 60, now - 60);
      expect(staleReason('api', base)).toBeNull();
      utimesSync(join(base, 'libs/tokens/src/tokens.service.ts'), now + 5, now + 5);
      expect(staleReason('api', base)).toBe('libs changed since the last build');
    } finally {
      rmSync(base, { recursive: true, force: true });
    }
  });

  describe('npm start', () => {
    let db: TestDatabase;
    let dataDir: string;
    beforeAll(async () => {
      db = await createTestDatabase();
      dataDir = mkdtempSync(join(tmpdir(), 'qr-launch-data-'));
    });
    afterAll(async () => {
      await db?.drop();
      rmSync(dataDir, { recursive: true, force: true });
    });

    async function start(): Promise<{ run: Run; url: string }> {
      const port = await freePort();
      const run = npm(['start'], { DATABASE_URL: db.url, DATA_DIR: dataDir, PORT: String(port) });
      const url = `http://127.0.0.1:${port}`;
      const deadline = Date.now() + 180_000;
      let ended = false;
      void run.exited.then(() => (ended = true));
      while (
        !(await fetch(`${url}/api/health/live`).then(
          (response) => response.ok,
          () => false,
        ))
      ) {
        if (ended || Date.now() > deadline) throw new Error(`npm start did not serve:\n${run.output()}`);
        await new Promise((resolveWait) => setTimeout(resolveWait, 100));
      }
      return { run, url };
    }

    it('passes SIGTERM to the service, which drains and exits: no process is left behind', async () => {
      // The first start may build: the test workers that build the service wait meanwhile (same lock).
      const lock = new pg.Client({ connectionString: process.env[TEST_ENV.adminUrl] });
      await lock.connect();
      let first: { run: Run; url: string };
      try {
        await lock.query('SELECT pg_advisory_lock($1)', [BUILD_LOCK]);
        first = await start();
      } finally {
        await lock.end();
      }
      const tree = descendants(first.run.pid);
      expect(tree.length).toBeGreaterThanOrEqual(2); // the launcher and the service
      process.kill(first.run.pid, 'SIGTERM');
      expect(await first.run.exited).toEqual({ code: 0, signal: null });
      for (const pid of tree) expect(isAlive(pid)).toBe(false);
      expect(first.run.output()).toContain('SIGTERM: shutting down');
      expect(
        await fetch(`${first.url}/api/health/live`).then(
          () => 'answered',
          () => 'refused',
        ),
      ).toBe('refused');

      // Nothing changed since: the second start does not build.
      const second = await start();
      process.kill(second.run.pid, 'SIGTERM');
      expect(await second.run.exited).toEqual({ code: 0, signal: null });
      expect(second.run.output()).not.toContain('[launch] building');
    }, 300_000);
  });

  it('npm run mobile builds once, then runs at once', async () => {
    const first = npm(['run', 'mobile', '--', 'devices', '--state', join(tmpdir(), 'qr-launch-no-state.json')], {});
    await first.exited;
    const second = npm(['run', 'mobile', '--', 'devices', '--state', join(tmpdir(), 'qr-launch-no-state.json')], {});
    const exit = await second.exited;
    expect(second.output()).not.toContain('[launch] building');
    // The client ran and answered for itself (not signed in), with its own exit code passed through.
    expect(second.output()).toContain('not_signed_in');
    expect(exit).toEqual({ code: 1, signal: null });
  }, 180_000);
});
