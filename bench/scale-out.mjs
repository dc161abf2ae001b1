// `npm run bench:scale-out`: sign-ins per second with 1, 2 and 3 processes of the service on one PostgreSQL, events
// carried by PostgreSQL NOTIFY (the default) and by Redis (REDIS_URL). Builds, starts an embedded PostgreSQL and a
// redis-server of its own on free ports, starts the processes (the built entry point, rate limits off), measures,
// stops everything, prints a Markdown table and writes bench/results/<timestamp>-scale-out.json.
//
// Each sign-in crosses processes as it would behind a round-robin balancer: the desktop creates its session on one
// process and long-polls on the next, the phone scans on the third and confirms on the first, so every event the
// desktop waits for travels on the bus. BENCH_ROUNDS (default 2) rounds each measure every configuration for
// BENCH_SECONDS (default 5) seconds, configurations interleaved so that a shared machine's drift hits them alike.
import { spawn, spawnSync } from 'node:child_process';
import { randomBytes } from 'node:crypto';
import { chmodSync, closeSync, mkdtempSync, openSync, rmSync, writeFileSync } from 'node:fs';
import os from 'node:os';
import { join, relative } from 'node:path';
import { createApi } from './lib/api.mjs';
import { loopFor, mapWithConcurrency, nowMs } from './lib/pool.mjs';
import { positiveInt, requireBuilt, RESULTS, ROOT, startRun } from './lib/run-setup.mjs';
import { freePort } from './lib/server.mjs';
import { median, percentile } from './lib/stats.mjs';

const SETTINGS = {
  rounds: positiveInt('BENCH_ROUNDS', 2),
  seconds: positiveInt('BENCH_SECONDS', 5),
  // Desktop and phone pairs signing in at once.
  concurrency: 16,
  processes: [1, 2, 3],
  buses: ['notify', 'redis'],
};
const JWT_SECRET = randomBytes(32).toString('base64url');
const log = (message) => console.log(`[scale-out] ${message}`);

function startRedis(port) {
  const child = spawn('redis-server', ['--port', String(port), '--bind', '127.0.0.1', '--save', '', '--appendonly', 'no'], {
    stdio: ['ignore', 'pipe', 'inherit'],
  });
  return new Promise((resolveStart, reject) => {
    let output = '';
    child.once('error', (error) => reject(new Error(`redis-server could not start (apt-get install -y redis-server): ${error.message}`)));
    child.stdout.on('data', (chunk) => {
      output += chunk;
      if (output.includes('Ready to accept connections')) resolveStart(child);
    });
  });
}

/** One process of the service: the built entry point, like `npm start` once built. */
async function startProcess(env, logFile) {
  const port = await freePort();
  const out = openSync(logFile, 'a');
  const child = spawn(process.execPath, ['dist/apps/api/src/main.js'], {
    cwd: ROOT,
    env: { PATH: process.env.PATH, HOME: process.env.HOME, PORT: String(port), RATE_LIMITS: 'off', QR_TTL_SECONDS: '900', JWT_SECRET, ...env },
    stdio: ['ignore', out, out],
  });
  closeSync(out);
  const exited = new Promise((resolveExit) => child.once('exit', (code, signal) => resolveExit({ code, signal })));
  const baseUrl = `http://127.0.0.1:${port}`;
  const deadline = Date.now() + 60_000;
  for (;;) {
    if (child.exitCode !== null || child.signalCode !== null) throw new Error(`a process exited at start; see ${logFile}`);
    if (
      (await fetch(`${baseUrl}/api/health`).then(
        (response) => response.status,
        () => 0,
      )) === 200
    )
      break;
    if (Date.now() > deadline) throw new Error(`a process was not healthy within 60 s; see ${logFile}`);
    await new Promise((resolveWait) => setTimeout(resolveWait, 200));
  }
  return {
    baseUrl,
    stop: async () => {
      child.kill('SIGTERM');
      const timer = setTimeout(() => child.kill('SIGKILL'), 15_000);
      await exited;
      clearTimeout(timer);
    },
  };
}

/** A sign-in across processes; `apis` rotate by `k` so that each process plays every part. */
async function signIn(apis, phone, k) {
  const at = (i) => apis[(k + i) % apis.length];
  const session = await at(0).createSession('none');
  const scannedPoll = at(1).snapshot(session, { since: 'pending', wait: 15 });
  const { scanTicket } = await at(2).scan(phone, session.id);
  if ((await scannedPoll).status !== 'scanned') throw new Error('the desktop did not see the scan');
  const confirmedPoll = at(1).snapshot(session, { since: 'scanned', wait: 15 });
  const confirmedAt = nowMs();
  await at(0).confirm(phone, session.id, scanTicket);
  const confirmed = await confirmedPoll;
  if (confirmed.status !== 'confirmed' || !confirmed.login?.accessToken) throw new Error(`the desktop read ${confirmed.status} without a token`);
  return nowMs() - confirmedAt;
}

async function measureFlows(apis, phones, seconds) {
  const latencies = [];
  const deliveries = [];
  let failures = 0;
  let firstError;
  let k = 0;
  const { elapsedMs } = await loopFor(seconds * 1000, phones.length, async (worker) => {
    const started = nowMs();
    try {
      deliveries.push(await signIn(apis, phones[worker], k++));
      latencies.push(nowMs() - started);
    } catch (error) {
      failures++;
      firstError ??= error.message;
    }
  });
  return {
    flowsPerSecond: (latencies.length * 1000) / elapsedMs,
    flows: latencies.length,
    failures,
    firstError,
    latencyP50: percentile(latencies, 50),
    latencyP95: percentile(latencies, 95),
    // From sending the confirm to the desktop's long-poll answering with its token (on another process when n > 1).
    confirmToDesktopP50: percentile(deliveries, 50),
  };
}

async function runConfiguration({ bus, processes, databaseUrl, redisUrl, logFile }) {
  const env = { DATABASE_URL: databaseUrl, ...(bus === 'redis' ? { REDIS_URL: redisUrl } : {}) };
  // The first applies pending migrations alone; the others then start together.
  const started = [await startProcess(env, logFile)];
  started.push(...(await Promise.all(Array.from({ length: processes - 1 }, () => startProcess(env, logFile)))));
  try {
    const apis = started.map((process) => createApi(process.baseUrl));
    const phones = await mapWithConcurrency(Array.from({ length: SETTINGS.concurrency }), 4, () => apis[0].signUpPhone());
    await measureFlows(apis, phones, 2); // warm-up, not recorded
    return await measureFlows(apis, phones, SETTINGS.seconds);
  } finally {
    await Promise.all(started.map((process) => process.stop()));
  }
}

async function main() {
  const { startedAt, stamp } = startRun(log);
  const { startEmbeddedPostgres } = requireBuilt('dist/libs/database/src/embedded-postgres.js');
  const dataDir = mkdtempSync(join(os.tmpdir(), 'qr-login-scale-out-'));
  chmodSync(dataDir, 0o755);
  const database = await startEmbeddedPostgres({ dataDir: join(dataDir, 'pg'), database: 'qr_login' });
  const redis = await startRedis(await freePort());
  const redisUrl = `redis://127.0.0.1:${redis.spawnargs[redis.spawnargs.indexOf('--port') + 1]}`;
  const logFile = join(RESULTS, `${stamp}-scale-out.server.log`);
  const loadBefore = os.loadavg();
  const rounds = [];
  try {
    for (let round = 1; round <= SETTINGS.rounds; round++) {
      const results = {};
      for (const processes of SETTINGS.processes) {
        for (const bus of SETTINGS.buses) {
          const result = await runConfiguration({ bus, processes, databaseUrl: database.url, redisUrl, logFile }).catch((error) => ({
            error: error.message,
          }));
          results[`${bus}/${processes}`] = result;
          log(`round ${round} ${bus}, ${processes} process(es): ${result.error ?? `${result.flowsPerSecond.toFixed(1)} flows/s`}`);
        }
      }
      rounds.push(results);
    }
  } finally {
    redis.kill('SIGTERM');
    await database.stop();
    rmSync(dataDir, { recursive: true, force: true });
  }
  const summary = [];
  for (const processes of SETTINGS.processes) {
    for (const bus of SETTINGS.buses) {
      const runs = rounds.map((round) => round[`${bus}/${processes}`]).filter((run) => run && !run.error);
      const pick = (key) => (runs.length ? median(runs.map((run) => run[key])) : null);
      summary.push({
        bus,
        processes,
        flowsPerSecond: pick('flowsPerSecond'),
        latencyP50: pick('latencyP50'),
        latencyP95: pick('latencyP95'),
        confirmToDesktopP50: pick('confirmToDesktopP50'),
        failures: runs.reduce((sum, run) => sum + run.failures, 0),
      });
    }
  }
  const fixed = (value, digits = 1) => (value == null ? 'failed' : value.toFixed(digits));
  const table = [
    '| bus | processes | sign-ins/s (median) | sign-in ms p50 / p95 | confirm → desktop ms p50 | failed |',
    '| --- | --- | --- | --- | --- | --- |',
    ...summary.map(
      (row) =>
        `| ${row.bus === 'notify' ? 'PostgreSQL NOTIFY' : 'Redis'} | ${row.processes} | ${fixed(row.flowsPerSecond)} | ${fixed(row.latencyP50, 0)} / ${fixed(row.latencyP95, 0)} | ${fixed(row.confirmToDesktopP50, 0)} | ${row.failures} |`,
    ),
  ].join('\n');
  const cpus = os.cpus();
  const commit = spawnSync('git', ['rev-parse', 'HEAD'], { cwd: ROOT, encoding: 'utf8' }).stdout?.trim() || null;
  const report = {
    startedAt: startedAt.toISOString(),
    durationSeconds: Math.round((Date.now() - startedAt.getTime()) / 1000),
    machine: { cores: cpus.length, cpu: cpus[0]?.model, node: process.version, loadAverage: { before: loadBefore, after: os.loadavg() } },
    commit,
    settings: SETTINGS,
    summary,
    rounds,
  };
  const file = join(RESULTS, `${stamp}-scale-out.json`);
  writeFileSync(file, `${JSON.stringify(report, null, 2)}\n`);
  console.log(`\n${table}\n`);
  log(`${cpus.length} cores, load ${loadBefore.map((n) => n.toFixed(2)).join(' ')}; ${report.durationSeconds} s; results in ${relative(ROOT, file)}`);
}

main().catch((error) => {
  console.error(error);
  process.exit(1);
});
