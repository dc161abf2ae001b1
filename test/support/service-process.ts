import { execFile, spawn, type ChildProcess } from 'node:child_process';
import { existsSync, readdirSync, readFileSync, writeFileSync } from 'node:fs';
import { resolve } from 'node:path';
import { promisify } from 'node:util';
import pg from 'pg';
import { freePort } from '@app/database';
import { builtMarkerFor, TEST_ENV } from './test-env';

export const ROOT = process.cwd();
export const MAIN = resolve(ROOT, 'dist/apps/api/src/main.js');
const BUILD_LOCK = 72_519_002;
let built: Promise<void> | undefined;

/**
 * `nest build api`, once per test run, as `npm start` does: tests that run the service as real processes start the
 * built `dist/apps/api/src/main.js`. Test workers serialise on an advisory lock; a marker named after the run's
 * template database tells later ones that the build is done.
 */
export function buildApi(): Promise<void> {
  built ??= (async () => {
    const marker = builtMarkerFor(process.env[TEST_ENV.templateDatabase]);
    const client = new pg.Client({ connectionString: process.env[TEST_ENV.adminUrl] });
    await client.connect();
    try {
      await client.query('SELECT pg_advisory_lock($1)', [BUILD_LOCK]);
      if (!existsSync(marker) || !existsSync(MAIN)) {
        await promisify(execFile)(process.execPath, [resolve(ROOT, 'node_modules/@nestjs/cli/bin/nest.js'), 'build', 'api'], { cwd: ROOT });
        writeFileSync(marker, new Date().toISOString());
      }
    } finally {
      await client.end();
    }
  })();
  return built;
}

export interface Exit {
  code: number | null;
  signal: NodeJS.Signals | null;
}

export interface ServiceProcess {
  child: ChildProcess;
  pid: number;
  port: number;
  url: string;
  /** Everything it printed so far (stdout and stderr), for failure messages. */
  output(): string;
  /** What it printed on stdout alone (its log lines). */
  stdout(): string;
  /** Resolves once its stdout satisfies `test` (checked on each write), or rejects after `timeoutMs`. */
  waitForStdout(test: (stdout: string) => boolean, timeoutMs?: number): Promise<void>;
  exited: Promise<Exit>;
  /** Sends `signal` (SIGTERM by default) and resolves with how it ended. */
  stop(signal?: NodeJS.Signals): Promise<Exit>;
}

/**
 * The built service as a child process, the way an operator runs it: `node dist/apps/api/src/main.js` with `env`
 * (nothing inherited but PATH and HOME, so the test's own DATABASE_URL never leaks in), on a free port unless `env.PORT`
 * is given. Resolves once `GET /api/health` answers 200.
 */
export async function startServiceProcess(env: Record<string, string>, options: { readyTimeoutMs?: number } = {}): Promise<ServiceProcess> {
  await buildApi();
  const port = env.PORT ? Number(env.PORT) : await freePort();
  let output = '';
  let stdout = '';
  const child = spawn(process.execPath, [MAIN], {
    cwd: ROOT,
    env: { PATH: process.env.PATH ?? '', HOME: process.env.HOME ?? '', RATE_LIMITS: 'off', PORT: String(port), ...env },
    stdio: ['ignore', 'pipe', 'pipe'],
  });
  child.stdout!.on('data', (chunk) => {
    output += chunk;
    stdout += chunk;
  });
  child.stderr!.on('data', (chunk) => (output += chunk));
  const exited = new Promise<Exit>((resolveExit) => child.once('exit', (code, signal) => resolveExit({ code, signal })));
  const service: ServiceProcess = {
    child,
    pid: child.pid!,
    port,
    url: `http://127.0.0.1:${port}`,
    output: () => output,
    stdout: () => stdout,
    waitForStdout: (test, timeoutMs = 10_000) =>
      new Promise((resolveWait, reject) => {
        if (test(stdout)) return resolveWait();
        const timer = setTimeout(() => {
          child.stdout!.off('data', check);
          reject(new Error(`stdout did not show what was awaited within ${timeoutMs} ms:\n${stdout}`));
        }, timeoutMs);
        const check = () => {
          if (!test(stdout)) return;
          clearTimeout(timer);
          child.stdout!.off('data', check);
          resolveWait();
        };
        child.stdout!.on('data', check);
      }),
    exited,
    stop: (signal = 'SIGTERM') => {
      if (child.exitCode === null && child.signalCode === null) child.kill(signal);
      return exited;
    },
  };
  const deadline = Date.now() + (options.readyTimeoutMs ?? 60_000);
  let ended: Exit | undefined;
  void exited.then((exit) => (ended = exit));
  for (;;) {
    if (ended) throw new Error(`the service exited (${JSON.stringify(ended)}) before it was ready:\n${output}`);
    const ok = await fetch(`${service.url}/api/health`).then(
      (response) => response.ok,
      () => false,
    );
    if (ok) return service;
    if (Date.now() > deadline) {
      await service.stop('SIGKILL');
      throw new Error(`the service was not ready within the time allowed:\n${output}`);
    }
    await new Promise((resolveWait) => setTimeout(resolveWait, 100));
  }
}

/** The live child processes of `pid` whose command line contains `needle` (read from /proc: Linux only). */
export function childProcesses(pid: number, needle: string): number[] {
  const found: number[] = [];
  for (const entry of readdirSync('/proc')) {
    if (!/^\d+$/.test(entry)) continue;
    try {
      // The parent pid is the 4th field of /proc/<pid>/stat, after the command name in parentheses.
      const stat = readFileSync(`/proc/${entry}/stat`, 'utf8');
      const ppid = Number(stat.slice(stat.lastIndexOf(')') + 2).split(' ')[1]);
      if (ppid !== pid || stat.slice(stat.lastIndexOf(')') + 2).startsWith('Z')) continue;
      if (readFileSync(`/proc/${entry}/cmdline`, 'utf8').includes(needle)) found.push(Number(entry));
    } catch {
      // The process ended while we looked.
    }
  }
  return found;
}

export function isAlive(pid: number): boolean {
  try {
    process.kill(pid, 0);
    return true;
  } catch {
    return false;
  }
}
