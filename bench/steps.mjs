// `npm run bench:steps`: where a sign-in's CPU goes, step by step, beside the floor of any request. Builds, starts the
// service as `npm run bench` does, warms it up, then loops in turn, BENCH_SECONDS each, for BENCH_ROUNDS rounds:
//
//   live       GET /api/health/live: the request path with no statement (Fastify, Nest, the hooks, the log line)
//   health     GET /api/health: the same and `SELECT 1`, the baseline of `npm run bench`'s "cost × baseline"
//   create     POST /api/qr-sessions
//   + scan     create, then scan
//   + confirm  create, scan, confirm
//   + read     the whole sign-in: create, scan, confirm, the desktop reads its token
//
// 10 at a time, as the full-flow scenario. For each loop, the CPU per iteration of the service, of its PostgreSQL and
// of this client (from /proc, bench/lib/cpu.mjs), median over rounds; a step's own cost is its loop's less the loop
// before it. CPU per request moves much less than requests per second on a shared machine, and tells which step to
// look at first (then profile it: the README's "Benchmarks").
import { writeFileSync } from 'node:fs';
import os from 'node:os';
import { join, relative } from 'node:path';
import { createApi } from './lib/api.mjs';
import { endRun, fixed, runFacts } from './lib/interleaved.mjs';
import { cpuMs, postgresCpuMs } from './lib/cpu.mjs';
import { loopFor } from './lib/pool.mjs';
import { waitForQuiet } from './lib/quiet.mjs';
import { positiveInt, RESULTS, revision, ROOT, startRun } from './lib/run-setup.mjs';
import { startServer, stopOnInterrupt } from './lib/server.mjs';
import { median } from './lib/stats.mjs';
import { signIn, signInLoop } from './scenarios/full-flow.mjs';

const SETTINGS = {
  rounds: positiveInt('BENCH_ROUNDS', 3),
  seconds: positiveInt('BENCH_SECONDS', 4),
  warmUpSeconds: 10,
  concurrency: 10,
};
const SERVER_ENV = { QR_TTL_SECONDS: '900' };

const log = (message) => console.log(`[steps] ${message}`);

/** The loops, each one step longer than the one before it (after the two baselines). */
function loops(api, phones) {
  const signInUntil = (step) => (worker) => signIn({ desktop: api, phoneApi: api, phone: phones[worker] }, undefined, step);
  return [
    { name: 'live', what: 'GET /api/health/live (no statement)', run: () => api.live() },
    { name: 'health', what: 'GET /api/health (SELECT 1)', run: () => api.health() },
    { name: 'create', what: 'POST /api/qr-sessions', run: signInUntil('create'), step: true },
    { name: 'scan', what: 'POST …/scan', run: signInUntil('scan'), step: true },
    { name: 'confirm', what: 'POST …/confirm', run: signInUntil('confirm'), step: true },
    { name: 'read', what: 'GET /api/qr-sessions/:id (the token)', run: signInUntil('read'), step: true },
  ];
}

/** CPU per iteration of `loop` over `seconds`, in ms: the service, its PostgreSQL, this client (null if unreadable). */
async function measureLoop(server, loop, seconds, concurrency) {
  await waitForQuiet(server.pid);
  const before = { service: cpuMs(server.pid), postgres: postgresCpuMs(server.dataDir), client: process.cpuUsage() };
  const { completed, elapsedMs } = await loopFor(seconds * 1000, concurrency, loop.run);
  const client = process.cpuUsage(before.client);
  const per = (after, start) => (after == null || start == null || completed === 0 ? null : (after - start) / completed);
  return {
    perSecond: (completed * 1000) / elapsedMs,
    service: per(cpuMs(server.pid), before.service),
    postgres: per(postgresCpuMs(server.dataDir), before.postgres),
    client: per((client.user + client.system) / 1000, 0),
  };
}

const CPU = ['service', 'postgres', 'client'];

const medianOf = (values) => {
  const present = values.filter((value) => value != null);
  return present.length > 0 ? median(present) : null;
};

/**
 * A row per loop with its own cost, the median over rounds: a step's is its loop less the loop before it in the same
 * round. Then the whole sign-in's (the last loop).
 */
function summarise(defined, rounds) {
  const rows = [];
  let previous;
  for (const loop of defined) {
    const before = previous;
    const own = (round, key) => {
      const value = round[loop.name][key];
      const less = loop.step && before ? round[before][key] : 0;
      return value == null || less == null ? null : value - less;
    };
    rows.push({ name: loop.name, what: loop.what, ...Object.fromEntries(CPU.map((key) => [key, medianOf(rounds.map((round) => own(round, key)))])) });
    if (loop.step) previous = loop.name;
  }
  const whole = Object.fromEntries(CPU.map((key) => [key, medianOf(rounds.map((round) => round[previous][key]))]));
  rows.push({ name: 'sign-in', what: 'the four steps', ...whole });
  return rows;
}

function formatTable(rows) {
  const health = rows.find((row) => row.name === 'health');
  const inHealthChecks = (row) => {
    const parts = [row.service, row.postgres, health.service, health.postgres];
    return parts.includes(null) ? null : (row.service + row.postgres) / (health.service + health.postgres);
  };
  const header = ['request', 'what', 'service CPU ms', 'PostgreSQL CPU ms', 'client CPU ms', 'service + PostgreSQL in health checks'];
  return [
    `| ${header.join(' | ')} |`,
    `| ${header.map(() => '---').join(' | ')} |`,
    ...rows.map((row) => `| ${row.name} | ${row.what} | ${CPU.map((key) => fixed(row[key], 3)).join(' | ')} | ${fixed(inHealthChecks(row), 2)} |`),
  ].join('\n');
}

async function main() {
  const { startedAt, stamp } = startRun(log);
  const logFile = join(RESULTS, `${stamp}-steps.server.log`);
  const server = await startServer({ root: ROOT, logFile, extraEnv: SERVER_ENV });
  log(`server pid ${server.pid} on ${server.baseUrl}`);
  stopOnInterrupt(() => server.stop(), log);
  const loadBefore = os.loadavg();
  const rounds = [];
  let defined;
  let stopped;
  try {
    const api = createApi(server.baseUrl);
    const phones = await Promise.all(Array.from({ length: SETTINGS.concurrency }, () => api.signUpPhone()));
    defined = loops(api, phones);
    log(`warming up: ${SETTINGS.warmUpSeconds} s of sign-ins`);
    await signInLoop({
      concurrency: SETTINGS.concurrency,
      seconds: SETTINGS.warmUpSeconds,
      pairFor: (worker) => ({ desktop: api, phoneApi: api, phone: phones[worker] }),
    });
    for (let index = 0; index < SETTINGS.rounds; index++) {
      const round = {};
      for (const loop of defined) {
        round[loop.name] = await measureLoop(server, loop, SETTINGS.seconds, SETTINGS.concurrency);
        log(`round ${index + 1} ${loop.name}: ${fixed(round[loop.name].perSecond, 0)}/s, service ${fixed(round[loop.name].service, 3)} ms`);
      }
      rounds.push(round);
    }
  } finally {
    stopped = await server.stop();
  }
  const summary = summarise(defined, rounds);
  const report = {
    ...runFacts(startedAt, loadBefore),
    revision: revision(),
    settings: { ...SETTINGS, serverEnv: SERVER_ENV },
    summary,
    rounds,
    serverStop: stopped,
  };
  const file = join(RESULTS, `${stamp}-steps.json`);
  writeFileSync(file, `${JSON.stringify(report, null, 2)}\n`);
  console.log(`\n${formatTable(summary)}\n`);
  log(`server log in ${relative(ROOT, logFile)}`);
  endRun({ report, file, stopped: [stopped], log });
}

main().catch((error) => {
  console.error(`[steps] failed: ${error.message}`);
  process.exit(1);
});
