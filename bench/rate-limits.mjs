// `npm run bench:rate-limits`: what the rate limits cost a full sign-in (issue 7, target: at most 10 % of flows/s).
// Builds, starts the service twice as `npm run bench` does (its own embedded PostgreSQL each, QR_TTL_SECONDS=900), one
// with RATE_LIMITS=off and one with them on, and measures full sign-ins (create → scan → confirm → the desktop reads
// its token, the full-flow scenario) on each, interleaved: off, on, off, on, ..., off over BENCH_ROUNDS rounds of
// BENCH_SECONDS, so that a shared machine's drift hits both alike and each "on" lies between two "off".
//
// The per-address limits would stop a load generator on one address (30 QR creations a minute), so the sign-ins are
// spread: each desktop and phone pair sends from addresses of its own (127.x.y.z, bench/lib/addresses.mjs), its phone
// is an account of its own, and workers take the pairs in turn. The number of pairs follows from the service's own
// policies (read from the build); the client checks every request against them before sending (AddressBudget) and
// the run fails on any failed sign-in, a 429 included: a limit hit would mean the spread is wrong, not that the
// limits are cheap. Both servers get exactly the same client, so the only difference is RATE_LIMITS.
import { writeFileSync } from 'node:fs';
import os from 'node:os';
import { join, relative } from 'node:path';
import { agentFrom, AddressBudget, loopbackAddress } from './lib/addresses.mjs';
import { createApi } from './lib/api.mjs';
import { cpuMs, postgresCpuMs } from './lib/cpu.mjs';
import { mapWithConcurrency } from './lib/pool.mjs';
import { waitForQuiet } from './lib/quiet.mjs';
import { positiveInt, requireBuilt, RESULTS, ROOT, startRun } from './lib/run-setup.mjs';
import { startServer } from './lib/server.mjs';
import { median } from './lib/stats.mjs';
import { signInLoop, STEPS } from './scenarios/full-flow.mjs';

/**
 * The requests of one sign-in, by the policy each route is under (the @RateLimit of its controller), and of a phone's
 * set-up. A route moved to another policy shows here as a 429 (the run fails), never as a quietly wrong budget.
 */
const DESKTOP_PER_FLOW = { createQr: 1, watchQr: 1 }; // POST /api/qr-sessions, GET /api/qr-sessions/:id
const PHONE_PER_FLOW = { phoneAction: 2 }; // POST .../scan, POST .../confirm
const PHONE_SET_UP = { register: 1, login: 1 }; // POST /api/accounts, POST /api/auth/login

/**
 * Sign-ins per second the spread is sized for, sustained on the server with limits on (the budget check guards it).
 * A faster machine needs more (BENCH_DESIGN_RATE): each pair signs up first, so more pairs take longer to set up.
 */
const DESIGN_RATE = positiveInt('BENCH_DESIGN_RATE', 128);

/** The service's own policies, read from the build (so only once `startRun` has built it). */
const policies = () => requireBuilt('dist/libs/rate-limits/src/rate-limit.policies.js').RATE_LIMIT_POLICIES;

/** Pairs needed so that DESIGN_RATE sign-ins a second, taken in turn, keep every address under every limit. */
function pairsNeeded() {
  const perFlow = { ...DESKTOP_PER_FLOW, ...PHONE_PER_FLOW };
  const needed = Object.entries(perFlow).map(([name, count]) => {
    const { limit, windowSeconds } = policies()[name];
    return Math.ceil((DESIGN_RATE * count * windowSeconds) / limit);
  });
  return Math.max(...needed);
}

const SETTINGS = {
  rounds: positiveInt('BENCH_ROUNDS', 6),
  seconds: positiveInt('BENCH_SECONDS', 5),
  // Sign-ins at once, as in `npm run bench`'s full-flow.
  concurrency: 10,
  // Set once built: BENCH_PAIRS, else what the policies need (pairsNeeded).
  pairs: 0,
  // BENCH_AA=1: both servers with limits off, the same run otherwise: the ratio then shows the method's own noise.
  aa: process.env.BENCH_AA === '1',
};
const SERVER_ENV = { QR_TTL_SECONDS: '900' };

const log = (message) => console.log(`[rate-limits] ${message}`);

/**
 * The pairs of one server: pair i's desktop sends from 127.1.*, its phone from 127.2.* (index i in both), each
 * through a keep-alive agent of its own, and its phone is an account signed up and signed in from that address.
 */
async function preparePairs(server, budget) {
  const indexes = Array.from({ length: SETTINGS.pairs }, (_, index) => index);
  // Two at a time: the sign-ups hash passwords (scrypt), and the service queues only a few hashes before it answers 429.
  return mapWithConcurrency(indexes, 2, async (index) => {
    const desktopAddress = loopbackAddress(1, index);
    const phoneAddress = loopbackAddress(2, index);
    const phoneApi = createApi(server.baseUrl, { agent: agentFrom(phoneAddress) });
    for (const [policy, count] of Object.entries(PHONE_SET_UP)) budget.take(phoneAddress, policy, count);
    const phone = await phoneApi.signUpPhone();
    return { desktop: createApi(server.baseUrl, { agent: agentFrom(desktopAddress) }), desktopAddress, phoneApi, phoneAddress, phone };
  });
}

/** Sign-ins for `seconds` on one server, the pairs taken in turn; CPU of the server and of its PostgreSQL per sign-in. */
async function measure(target, seconds) {
  await waitForQuiet(target.server.pid);
  const pairFor = () => {
    const pair = target.pairs[target.next++ % target.pairs.length];
    for (const [policy, count] of Object.entries(DESKTOP_PER_FLOW)) target.budget.take(pair.desktopAddress, policy, count);
    for (const [policy, count] of Object.entries(PHONE_PER_FLOW)) target.budget.take(pair.phoneAddress, policy, count);
    return pair;
  };
  const cpuBefore = { node: cpuMs(target.server.pid), postgres: postgresCpuMs(target.server.dataDir) };
  const result = await signInLoop({ concurrency: SETTINGS.concurrency, seconds, pairFor });
  const cpuAfter = { node: cpuMs(target.server.pid), postgres: postgresCpuMs(target.server.dataDir) };
  if (result.failures > 0) {
    throw new Error(`${result.failures} of ${result.attempted} sign-ins failed with rate limits ${target.label}; first: ${result.firstError}`);
  }
  const perFlow = (after, before) => (after == null || before == null || result.flows === 0 ? null : (after - before) / result.flows);
  return {
    ...result,
    cpuMsPerFlow: { node: perFlow(cpuAfter.node, cpuBefore.node), postgres: perFlow(cpuAfter.postgres, cpuBefore.postgres) },
  };
}

/** Medians over a configuration's rounds. */
function summarise(measurements) {
  const of = (pick) => median(measurements.map(pick).filter((value) => value != null));
  return {
    flowsPerSecond: of((m) => m.flowsPerSecond),
    latencyP50: of((m) => m.latencyP50),
    latencyP95: of((m) => m.latencyP95),
    stepP50: Object.fromEntries(STEPS.map((name) => [name, of((m) => m.stepP50[name])])),
    cpuMsPerFlow: { node: of((m) => m.cpuMsPerFlow.node), postgres: of((m) => m.cpuMsPerFlow.postgres) },
    flows: measurements.reduce((sum, m) => sum + m.flows, 0),
  };
}

const fixed = (value, digits = 1) => (value == null ? '–' : value.toFixed(digits));

function table(summary) {
  const lines = [
    '| rate limits | sign-ins/s (median) | sign-in ms p50 / p95 | create / scan / confirm / read ms p50 | server CPU ms per sign-in: node / PostgreSQL | sign-ins (failed: 0) |',
    '| --- | --- | --- | --- | --- | --- |',
  ];
  for (const label of ['off', 'on']) {
    const s = summary[label];
    lines.push(
      `| ${label} | ${fixed(s.flowsPerSecond)} | ${fixed(s.latencyP50, 0)} / ${fixed(s.latencyP95, 0)} | ` +
        `${STEPS.map((name) => fixed(s.stepP50[name])).join(' / ')} | ${fixed(s.cpuMsPerFlow.node, 2)} / ${fixed(s.cpuMsPerFlow.postgres, 2)} | ${s.flows} |`,
    );
  }
  return lines.join('\n');
}

async function main() {
  const { startedAt, stamp } = startRun(log);
  SETTINGS.pairs = positiveInt('BENCH_PAIRS', pairsNeeded());
  if (SETTINGS.aa) log('BENCH_AA=1: the server labelled "on" runs with RATE_LIMITS=off too');
  log(`${SETTINGS.pairs} desktop and phone pairs (sized for ${DESIGN_RATE} sign-ins/s), ${SETTINGS.concurrency} at a time`);
  const targets = [];
  const stopAll = () => Promise.all(targets.map((target) => target.server.stop()));
  const interrupt = async (signal) => {
    log(`${signal}: stopping the servers`);
    await stopAll();
    process.exit(130);
  };
  process.once('SIGINT', interrupt);
  process.once('SIGTERM', interrupt);

  const loadBefore = os.loadavg();
  const sequence = [];
  let stopped;
  try {
    for (const label of ['off', 'on']) {
      const logFile = join(RESULTS, `${stamp}-rate-limits-${label}.server.log`);
      const server = await startServer({ root: ROOT, logFile, extraEnv: { ...SERVER_ENV, RATE_LIMITS: SETTINGS.aa ? 'off' : label } });
      const target = { label, server, budget: new AddressBudget(policies()), next: 0, pairs: [] };
      targets.push(target);
      log(`rate limits ${label}: server pid ${server.pid} on ${server.baseUrl}, log in ${relative(ROOT, logFile)}`);
      target.pairs = await preparePairs(server, target.budget);
    }
    // Warm-up, not recorded: the first seconds of a fresh process measure the JIT and cold caches (with 2 s, the
    // rate of the "off" server still rose by half over the first rounds): one round of each, twice.
    for (let i = 0; i < 2; i++) for (const target of targets) await measure(target, SETTINGS.seconds);
    const [off, on] = targets;
    const order = [...Array.from({ length: SETTINGS.rounds }, () => [off, on]).flat(), off];
    for (const [index, target] of order.entries()) {
      const result = await measure(target, SETTINGS.seconds);
      sequence.push({ rateLimits: target.label, ...result });
      log(`${index + 1}/${order.length} rate limits ${target.label}: ${fixed(result.flowsPerSecond)} sign-ins/s (${result.flows})`);
    }
  } finally {
    stopped = await stopAll();
  }

  const summary = {
    off: summarise(sequence.filter((m) => m.rateLimits === 'off')),
    on: summarise(sequence.filter((m) => m.rateLimits === 'on')),
  };
  // Each "on" against the mean of the "off" just before and just after it: a drift that is linear over the three
  // cancels out.
  const roundRatios = sequence.flatMap((m, index) =>
    m.rateLimits === 'on' ? [m.flowsPerSecond / ((sequence[index - 1].flowsPerSecond + sequence[index + 1].flowsPerSecond) / 2)] : [],
  );
  const ratio = { ofMedians: summary.on.flowsPerSecond / summary.off.flowsPerSecond, medianOfRounds: median(roundRatios), rounds: roundRatios };
  const peak = targets.find((target) => target.label === 'on').budget.peak;
  const report = {
    startedAt: startedAt.toISOString(),
    durationSeconds: Math.round((Date.now() - startedAt.getTime()) / 1000),
    machine: { cores: os.cpus().length, cpu: os.cpus()[0]?.model, node: process.version, loadAverage: { before: loadBefore, after: os.loadavg() } },
    settings: { ...SETTINGS, designRate: DESIGN_RATE, serverEnv: SERVER_ENV, policies: policies() },
    summary,
    ratio,
    peakUseOfLimits: peak,
    sequence,
    serverStop: stopped,
  };
  const file = join(RESULTS, `${stamp}-rate-limits.json`);
  writeFileSync(file, `${JSON.stringify(report, null, 2)}\n`);
  console.log(`\n${table(summary)}\n`);
  const percent = (value) => `${((1 - value) * 100).toFixed(1)} %`;
  log(
    `on ÷ off: ${fixed(ratio.ofMedians, 3)} of the medians (cost ${percent(ratio.ofMedians)}), ` +
      `${fixed(ratio.medianOfRounds, 3)} median of the rounds (cost ${percent(ratio.medianOfRounds)}; rounds ${roundRatios.map((r) => fixed(r, 2)).join(', ')})`,
  );
  const busiest = Object.entries(peak).map(([policy, p]) => `${policy} ${p.used}/${p.limit} per ${p.windowSeconds} s`);
  log(`busiest address with limits on: ${busiest.join(', ')}`);
  log(
    `${report.machine.cores} cores, load ${loadBefore.map((n) => n.toFixed(2)).join(' ')}; ${report.durationSeconds} s; results in ${relative(ROOT, file)}`,
  );
  if (stopped.some((s) => !s.graceful || s.leftoverPids.length > 0)) {
    log(`a server did not stop cleanly: ${JSON.stringify(stopped)}`);
    process.exitCode = 1;
  }
}

main().catch((error) => {
  console.error(`[rate-limits] failed: ${error.message}`);
  process.exit(1);
});
