// The service under test, started the way a user starts it: the built entry point with a fresh DATA_DIR, so that it
// runs its own embedded PostgreSQL there and never touches ./.data.
import { spawn, spawnSync } from 'node:child_process';
import { chmodSync, closeSync, existsSync, mkdtempSync, openSync, readFileSync, rmSync } from 'node:fs';
import { createServer } from 'node:net';
import { tmpdir } from 'node:os';
import { join } from 'node:path';

const HEALTH_TIMEOUT_MS = 90_000;
const STOP_TIMEOUT_MS = 20_000;

export function build(root) {
  const result = spawnSync('npm', ['run', 'build'], { cwd: root, stdio: 'inherit' });
  if (result.status !== 0) throw new Error(`npm run build failed (exit ${result.status})`);
}

export function freePort() {
  return new Promise((resolve, reject) => {
    const server = createServer();
    server.on('error', reject);
    server.listen(0, '127.0.0.1', () => {
      const { port } = server.address();
      server.close(() => resolve(port));
    });
  });
}

/** VmRSS of a process in KiB, from /proc (Linux only; null elsewhere). */
export function rssKib(pid) {
  try {
    const match = /^VmRSS:\s+(\d+)\s+kB/m.exec(readFileSync(`/proc/${pid}/status`, 'utf8'));
    return match ? Number(match[1]) : null;
  } catch {
    return null;
  }
}

const isAlive = (pid) => {
  try {
    process.kill(pid, 0);
    return true;
  } catch {
    return false;
  }
};

const sleep = (ms) => new Promise((resolve) => setTimeout(resolve, ms));

/**
 * Spawns `node dist/apps/api/src/main.js` with its log in `logFile`, and resolves once `GET /api/health` answers 200.
 * `extraEnv` is for settings a benchmark needs beyond a user's defaults; BENCH_SERVER_NODE_ARGS are node's options for
 * the server (e.g. `--cpu-prof --cpu-prof-dir=/tmp/profiles` to profile it).
 */
export async function startServer({ root, logFile, extraEnv = {} }) {
  const dataDir = mkdtempSync(join(tmpdir(), 'qr-login-bench-'));
  // Run as root, the embedded PostgreSQL runs as the `postgres` system user, which must be able to enter the directory.
  chmodSync(dataDir, 0o755);
  const port = await freePort();
  const env = { ...process.env, PORT: String(port), RATE_LIMITS: 'off', DATA_DIR: dataDir, ...extraEnv };
  // A DATABASE_URL or REDIS_URL of the caller's shell would send the benchmark to another database.
  delete env.DATABASE_URL;
  delete env.REDIS_URL;
  const log = openSync(logFile, 'a');
  // Node's own options for the server only (node refuses --cpu-prof in NODE_OPTIONS, and would apply it to npm too).
  const nodeArgs = (process.env.BENCH_SERVER_NODE_ARGS ?? '').split(/\s+/).filter(Boolean);
  const child = spawn(process.execPath, [...nodeArgs, 'dist/apps/api/src/main.js'], { cwd: root, env, stdio: ['ignore', log, log] });
  closeSync(log);
  let exit;
  const exited = new Promise((resolve) => child.once('exit', (code, signal) => resolve((exit = { code, signal }))));
  const baseUrl = `http://127.0.0.1:${port}`;
  const server = { pid: child.pid, port, baseUrl, dataDir, logFile, exited, stop: () => stopServer(server) };
  try {
    await waitForHealth(server.baseUrl, () => exit);
  } catch (error) {
    await stopServer(server);
    throw error;
  }
  return server;
}

async function waitForHealth(baseUrl, exitOf) {
  const deadline = Date.now() + HEALTH_TIMEOUT_MS;
  while (Date.now() < deadline) {
    if (exitOf()) throw new Error(`the server exited before it was healthy (${JSON.stringify(exitOf())})`);
    const status = await fetch(`${baseUrl}/api/health`).then(
      (response) => response.status,
      () => 0,
    );
    if (status === 200) return;
    await sleep(200);
  }
  throw new Error(`GET /api/health did not answer 200 within ${HEALTH_TIMEOUT_MS / 1000} s`);
}

/** The embedded PostgreSQL's pid and port, from the postmaster.pid it keeps in its data directory. */
export function embeddedPostgres(dataDir) {
  const file = join(dataDir, 'postgres', 'postmaster.pid');
  if (!existsSync(file)) return null;
  const lines = readFileSync(file, 'utf8').split('\n');
  return { pid: Number(lines[0]), port: Number(lines[3]) };
}

/**
 * SIGTERM, as a user's Ctrl-C or a service manager would: the server closes and stops its PostgreSQL. Only if that
 * does not happen in time are the two processes this run started killed, by pid. Answers what was left behind.
 */
async function stopServer(server) {
  const postgres = embeddedPostgres(server.dataDir);
  if (isAlive(server.pid)) process.kill(server.pid, 'SIGTERM');
  let timer;
  const timeout = new Promise((resolve) => (timer = setTimeout(resolve, STOP_TIMEOUT_MS, null)));
  const result = await Promise.race([server.exited, timeout]);
  clearTimeout(timer); // a pending timer would keep the benchmark alive after its report
  let killed = false;
  if (!result) {
    process.kill(server.pid, 'SIGKILL');
    await server.exited;
    killed = true;
  }
  if (postgres && isAlive(postgres.pid)) {
    await sleep(2000);
    if (isAlive(postgres.pid)) {
      process.kill(postgres.pid, 'SIGQUIT');
      killed = true;
    }
  }
  await sleep(200);
  const leftover = [server.pid, postgres?.pid].filter((pid) => pid && isAlive(pid));
  rmSync(server.dataDir, { recursive: true, force: true });
  return { graceful: !killed, exit: await server.exited, leftoverPids: leftover };
}

/** Ctrl-C (or SIGTERM) must not leave the servers and their PostgreSQL running: `stop` stops them, then the run exits. */
export function stopOnInterrupt(stop, log) {
  const interrupt = async (signal) => {
    log(`${signal}: stopping the servers`);
    await stop();
    process.exit(130);
  };
  process.once('SIGINT', interrupt);
  process.once('SIGTERM', interrupt);
}
