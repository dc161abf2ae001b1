// Full sign-ins on two servers measured in turn (A, B, A, B, ..., A), so that a shared machine's drift hits both alike
// and each B lies between two A: what `npm run bench:rate-limits` (limits off against on) and `npm run bench:compare`
// (two builds or two configurations) have in common.
import os from 'node:os';
import { relative } from 'node:path';
import { agentFrom, AddressBudget, loopbackAddress } from './addresses.mjs';
import { createApi } from './api.mjs';
import { cpuMs, postgresCpuMs } from './cpu.mjs';
import { mapWithConcurrency } from './pool.mjs';
import { waitForQuiet } from './quiet.mjs';
import { ROOT } from './run-setup.mjs';
import { startServer, stopOnInterrupt } from './server.mjs';
import { median } from './stats.mjs';
import { signInLoop, STEPS } from '../scenarios/full-flow.mjs';

/**
 * The requests of one sign-in, by the policy each route is under (the @RateLimit of its controller), and of a phone's
 * set-up. A route moved to another policy shows here as a 429 (the run fails), never as a quietly wrong budget.
 */
const DESKTOP_PER_FLOW = { createQr: 1, watchQr: 1 }; // POST /api/qr-sessions, GET /api/qr-sessions/:id
const PHONE_PER_FLOW = { phoneAction: 2 }; // POST .../scan, POST .../confirm
const PHONE_SET_UP = { register: 1, login: 1 }; // POST /api/accounts, POST /api/auth/login

/** Pairs needed so that `rate` sign-ins a second, taken in turn, keep every address under every limit of `policies`. */
export function pairsNeeded(policies, rate) {
  const perFlow = { ...DESKTOP_PER_FLOW, ...PHONE_PER_FLOW };
  const needed = Object.entries(perFlow).map(([name, count]) => {
    const { limit, windowSeconds } = policies[name];
    return Math.ceil((rate * count * windowSeconds) / limit);
  });
  return Math.max(...needed);
}

/**
 * The pairs of one server: pair i's desktop sends from 127.1.*, its phone from 127.2.* (index i in both), each
 * through a keep-alive agent of its own, and its phone is an account signed up and signed in from that address.
 */
async function preparePairs(server, budget, count) {
  const indexes = Array.from({ length: count }, (_, index) => index);
  // Two at a time: the sign-ups hash passwords (scrypt), and the service queues only a few hashes before it answers 429.
  return mapWithConcurrency(indexes, 2, async (index) => {
    const desktopAddress = loopbackAddress(1, index);
    const phoneAddress = loopbackAddress(2, index);
    const phoneApi = createApi(server.baseUrl, { agent: agentFrom(phoneAddress) });
    for (const [policy, used] of Object.entries(PHONE_SET_UP)) budget.take(phoneAddress, policy, used);
    const phone = await phoneApi.signUpPhone();
    return { desktop: createApi(server.baseUrl, { agent: agentFrom(desktopAddress) }), desktopAddress, phoneApi, phoneAddress, phone };
  });
}

/** Sign-ins for `seconds` on one server, the pairs taken in turn; CPU of the server and of its PostgreSQL per sign-in. */
async function measure(target, { seconds, concurrency }) {
  await waitForQuiet(target.server.pid);
  const pairFor = () => {
    const pair = target.pairs[target.next++ % target.pairs.length];
    for (const [policy, count] of Object.entries(DESKTOP_PER_FLOW)) target.budget.take(pair.desktopAddress, policy, count);
    for (const [policy, count] of Object.entries(PHONE_PER_FLOW)) target.budget.take(pair.phoneAddress, policy, count);
    return pair;
  };
  const cpuBefore = { node: cpuMs(target.server.pid), postgres: postgresCpuMs(target.server.dataDir) };
  const result = await signInLoop({ concurrency, seconds, pairFor });
  const cpuAfter = { node: cpuMs(target.server.pid), postgres: postgresCpuMs(target.server.dataDir) };
  if (result.failures > 0) {
    throw new Error(`${result.failures} of ${result.attempted} sign-ins failed on ${target.label}; first: ${result.firstError}`);
  }
  const perFlow = (after, before) => (after == null || before == null || result.flows === 0 ? null : (after - before) / result.flows);
  return {
    ...result,
    cpuMsPerFlow: { node: perFlow(cpuAfter.node, cpuBefore.node), postgres: perFlow(cpuAfter.postgres, cpuBefore.postgres) },
  };
}

/** Medians over one side's rounds. */
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

export const fixed = (value, digits = 1) => (value == null ? '–' : value.toFixed(digits));

/** The Markdown table of the two sides' medians, the first column headed `heading`. */
export function table(heading, sides, summary) {
  const lines = [
    `| ${heading} | sign-ins/s (median) | sign-in ms p50 / p95 | create / scan / confirm / read ms p50 | server CPU ms per sign-in: node / PostgreSQL | sign-ins (failed: 0) |`,
    '| --- | --- | --- | --- | --- | --- |',
  ];
  for (const { label } of sides) {
    const s = summary[label];
    lines.push(
      `| ${label} | ${fixed(s.flowsPerSecond)} | ${fixed(s.latencyP50, 0)} / ${fixed(s.latencyP95, 0)} | ` +
        `${STEPS.map((name) => fixed(s.stepP50[name])).join(' / ')} | ${fixed(s.cpuMsPerFlow.node, 2)} / ${fixed(s.cpuMsPerFlow.postgres, 2)} | ${s.flows} |`,
    );
  }
  return lines.join('\n');
}

/**
 * Starts one server per side (`{ label, root, env }`: the build under `root`, a fresh DATA_DIR and embedded
 * PostgreSQL, `env` on top of `baseEnv`), signs up `pairs` phones on each, warms both up (one unrecorded round of
 * each, twice: the first seconds of a fresh process measure the JIT and cold caches), then measures A, B, A, ..., A
 * over `rounds`. Answers every measurement in order, the medians of each side, B ÷ A, each side's address budget and
 * how the servers stopped.
 */
export async function runInterleaved({ sides, baseEnv, policies, pairs, rounds, seconds, concurrency, stamp, results, log }) {
  const targets = [];
  const stopAll = () => Promise.all(targets.map((target) => target.server.stop()));
  stopOnInterrupt(stopAll, log);

  const sequence = [];
  let stopped;
  try {
    for (const side of sides) {
      const logFile = `${results}/${stamp}-${side.label}.server.log`;
      const env = { ...baseEnv, ...side.env };
      const server = await startServer({ root: side.root ?? ROOT, logFile, extraEnv: env });
      // Only limits that are on can stop the run: with them off, the sign-ins need not be spread over more addresses.
      const budget = new AddressBudget(policies, { enforce: env.RATE_LIMITS !== 'off' });
      const target = { label: side.label, server, budget, next: 0, pairs: [] };
      targets.push(target);
      log(`${side.label}: server pid ${server.pid} on ${server.baseUrl}, log in ${relative(ROOT, logFile)}`);
      target.pairs = await preparePairs(server, target.budget, pairs);
    }
    for (let i = 0; i < 2; i++) for (const target of targets) await measure(target, { seconds, concurrency });
    const [a, b] = targets;
    const order = [...Array.from({ length: rounds }, () => [a, b]).flat(), a];
    for (const [index, target] of order.entries()) {
      const result = await measure(target, { seconds, concurrency });
      sequence.push({ side: target.label, ...result });
      log(`${index + 1}/${order.length} ${target.label}: ${fixed(result.flowsPerSecond)} sign-ins/s (${result.flows})`);
    }
  } finally {
    stopped = await stopAll();
  }

  const [a, b] = sides.map((side) => side.label);
  const summary = Object.fromEntries(sides.map(({ label }) => [label, summarise(sequence.filter((m) => m.side === label))]));
  // Each B against the mean of the A just before and just after it: a drift that is linear over the three cancels out.
  const roundRatios = sequence.flatMap((m, index) =>
    m.side === b ? [m.flowsPerSecond / ((sequence[index - 1].flowsPerSecond + sequence[index + 1].flowsPerSecond) / 2)] : [],
  );
  const ratio = { ofMedians: summary[b].flowsPerSecond / summary[a].flowsPerSecond, medianOfRounds: median(roundRatios), rounds: roundRatios };
  const budgets = Object.fromEntries(targets.map((target) => [target.label, target.budget.peak]));
  return { sequence, summary, ratio, budgets, stopped };
}

/** When the run started and how long it took, and the machine it ran on: the head of its report. */
export function runFacts(startedAt, loadBefore) {
  return {
    startedAt: startedAt.toISOString(),
    durationSeconds: Math.round((Date.now() - startedAt.getTime()) / 1000),
    machine: { cores: os.cpus().length, cpu: os.cpus()[0]?.model, node: process.version, loadAverage: { before: loadBefore, after: os.loadavg() } },
  };
}

/** The run's last line (the machine, its load, where the results are), and a failure if a server did not stop cleanly. */
export function endRun({ report, file, stopped, log }) {
  const { machine, durationSeconds } = report;
  log(
    `${machine.cores} cores, load ${machine.loadAverage.before.map((n) => n.toFixed(2)).join(' ')}; ${durationSeconds} s; results in ${relative(ROOT, file)}`,
  );
  if (stopped.some((s) => !s.graceful || s.leftoverPids.length > 0)) {
    log(`a server did not stop cleanly: ${JSON.stringify(stopped)}`);
    process.exitCode = 1;
  }
}
