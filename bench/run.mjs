// `npm run bench`: builds the service, starts it as a user would (fresh DATA_DIR, its own embedded PostgreSQL, rate
// limits off), measures its hot paths in rounds, each beside a baseline (GET /api/health) measured in the same round,
// and prints a Markdown table and writes bench/results/<timestamp>.json. It stops by itself: every loop is bounded in time or
// count. See "Benchmarks" in the README for what each scenario measures.
import { writeFileSync } from 'node:fs';
import os from 'node:os';
import { join, relative } from 'node:path';
import { createApi } from './lib/api.mjs';
import { connectToServerDatabase } from './lib/probes.mjs';
import { formatTable, idleRows, summarise } from './lib/report.mjs';
import { positiveInt, RESULTS, revision, ROOT, startRun } from './lib/run-setup.mjs';
import { startServer, stopOnInterrupt } from './lib/server.mjs';
import { fullFlow } from './scenarios/full-flow.mjs';
import { idleSockets } from './scenarios/idle-sockets.mjs';
import { pushLatency } from './scenarios/push-latency.mjs';
import { httpScenarios, measureThroughput } from './scenarios/http-throughput.mjs';
import { longPollFanIn } from './scenarios/long-poll.mjs';
import { socketFanOut } from './scenarios/socket-fan-out.mjs';

// Sized so that a whole run stays under about three minutes on two cores; BENCH_ROUNDS and BENCH_SECONDS shorten it.
const SETTINGS = {
  rounds: positiveInt('BENCH_ROUNDS', 3),
  seconds: positiveInt('BENCH_SECONDS', 5),
  // Sign-ins before the first round, not recorded (see measure()).
  warmUpSeconds: 10,
  connections: 20,
  holders: 500,
  sockets: 200,
  socketWorkers: 2,
  // Scans come in bursts of this many at once: enough to queue, few enough that delivery, not the queue, is timed.
  scanConcurrency: 10,
  flowConcurrency: 10,
  // Sign-ins watched by a desktop, to find the maximum rate (then measured at half of it).
  pushConcurrency: 16,
  // Idle capacity, once per run (0 skips it): desktops held by the service, then by a bare Socket.IO server.
  idleSockets: positiveInt('BENCH_IDLE_SOCKETS', 10000, 0),
  idleWorkers: 4,
  idleHoldSeconds: 5,
};

// The run creates over ten thousand sessions. With the default 120 s lifetime, those of the first round would
// expire (an UPDATE, an audit row and a NOTIFY each) in the middle of the last round and be measured with it.
const SERVER_ENV = { QR_TTL_SECONDS: '900' };

const log = (message) => console.log(`[bench] ${message}`);

const figure = (value, unit, digits = 1) => (value == null ? 'failed' : `${value.toFixed(digits)} ${unit}`);

/** Runs one scenario of a round; a failure is recorded in the results instead of ending the run. */
async function attempt(name, fn) {
  try {
    return await fn();
  } catch (error) {
    log(`${name} failed: ${error.message}`);
    return { error: error.message };
  }
}

async function runRound(index, { api, server, db, phone, flowPhones, pushPhones, scenarios }) {
  const round = { round: index + 1, http: {} };
  const throughput = async (scenario, label = scenario.name) => {
    const options = { ...scenario.request, connections: SETTINGS.connections, seconds: SETTINGS.seconds };
    const result = await attempt(label, () => measureThroughput(server.baseUrl, options));
    log(`round ${index + 1} ${label}: ${figure(result.rps, 'req/s', 0)}`);
    return result;
  };
  for (const scenario of scenarios) round.http[scenario.name] = await throughput(scenario);
  // The baseline again at the end: the load of a shared machine drifts within a round, and the ratios of the
  // scenarios in between are taken against the mean of the two.
  round.baselineEnd = await throughput(scenarios[0], 'baseline (end)');
  round.longPoll = await attempt('long-poll', () =>
    longPollFanIn({ api, server, db, phone, holders: SETTINGS.holders, scanConcurrency: SETTINGS.scanConcurrency }),
  );
  log(`round ${index + 1} long-poll: scan → answer p50 ${figure(round.longPoll.latencyP50, 'ms')}`);
  const { sockets, socketWorkers: workers, scanConcurrency } = SETTINGS;
  round.socket = await attempt('socket', () => socketFanOut({ api, server, phone, sockets, workers, scanConcurrency }));
  log(`round ${index + 1} socket: scan → scanned p50 ${figure(round.socket.latencyP50, 'ms')}`);
  round.flow = await attempt('full-flow', () => fullFlow({ api, phones: flowPhones, seconds: SETTINGS.seconds }));
  log(`round ${index + 1} full-flow: ${figure(round.flow.flowsPerSecond, 'flows/s')}`);
  for (const [key, transport] of [
    ['pushSocket', 'socket'],
    ['pushLongPoll', 'long-poll'],
  ]) {
    round[key] = await attempt(`push-${transport}`, () =>
      pushLatency({ api, baseUrl: server.baseUrl, phones: pushPhones, transport, seconds: SETTINGS.seconds }),
    );
    log(
      `round ${index + 1} push-${transport}: max ${figure(round[key].maxRate, 'flows/s')}, ` +
        `confirm answered → token p99 ${figure(round[key].answeredToTokenP99, 'ms')}`,
    );
  }
  return round;
}

function machine() {
  const cpus = os.cpus();
  return {
    cores: cpus.length,
    cpu: cpus[0]?.model,
    memoryMiB: Math.round(os.totalmem() / 2 ** 20),
    node: process.version,
    platform: `${os.platform()} ${os.release()}`,
  };
}

async function measure(server) {
  const api = createApi(server.baseUrl);
  const db = await connectToServerDatabase(server.dataDir);
  try {
    const phone = await api.signUpPhone();
    const flowPhones = await Promise.all(Array.from({ length: SETTINGS.flowConcurrency }, () => api.signUpPhone()));
    const pushPhones = await Promise.all(Array.from({ length: SETTINGS.pushConcurrency }, () => api.signUpPhone()));
    const scenarios = httpScenarios(phone);
    // Warm-up, not recorded: the first seconds of a fresh process measure the JIT and cold caches. Sign-ins too: in
    // windows of 8 s from a fresh start, the first did 172 sign-ins/s and the next three 227, 251 and 259 (the
    // service, its PostgreSQL and this client each spent less CPU per sign-in in every window), so without it the
    // first round's full flow measured the warm-up.
    for (const scenario of scenarios.slice(0, 2)) {
      await measureThroughput(server.baseUrl, { ...scenario.request, connections: SETTINGS.connections, seconds: 2 });
    }
    await fullFlow({ api, phones: flowPhones, seconds: SETTINGS.warmUpSeconds });
    const rounds = [];
    for (let index = 0; index < SETTINGS.rounds; index++) {
      rounds.push(await runRound(index, { api, server, db, phone, flowPhones, pushPhones, scenarios }));
    }
    const idle = SETTINGS.idleSockets
      ? await attempt('idle-sockets', () =>
          idleSockets({
            api,
            server,
            count: SETTINGS.idleSockets,
            workers: SETTINGS.idleWorkers,
            holdSeconds: SETTINGS.idleHoldSeconds,
          }),
        )
      : null;
    if (idle) log(`idle-sockets: ${figure(idle.service?.perSocketKib, 'KiB/socket')} (bare ${figure(idle.bare?.perSocketKib, 'KiB/socket')})`);
    return { rounds, idle, summary: [...summarise(rounds, SETTINGS, scenarios), ...(idle ? idleRows(idle) : [])] };
  } finally {
    await db?.end();
  }
}

async function main() {
  const { startedAt, stamp } = startRun(log);
  const logFile = join(RESULTS, `${stamp}.server.log`);
  const server = await startServer({ root: ROOT, logFile, extraEnv: SERVER_ENV });
  log(`server pid ${server.pid} on ${server.baseUrl}, data in ${server.dataDir}, log in ${relative(ROOT, logFile)}`);
  stopOnInterrupt(() => server.stop(), log);

  const loadBefore = os.loadavg();
  let results;
  let stopped;
  try {
    results = await measure(server);
  } finally {
    stopped = await server.stop();
  }
  const report = {
    startedAt: startedAt.toISOString(),
    durationSeconds: Math.round((Date.now() - startedAt.getTime()) / 1000),
    machine: { ...machine(), loadAverage: { before: loadBefore, after: os.loadavg() } },
    revision: revision(),
    settings: { ...SETTINGS, serverEnv: SERVER_ENV },
    summary: results.summary,
    rounds: results.rounds,
    idle: results.idle,
    serverStop: stopped,
  };
  const file = join(RESULTS, `${stamp}.json`);
  writeFileSync(file, `${JSON.stringify(report, null, 2)}\n`);
  console.log(`\n${formatTable(results.summary)}\n`);
  const load = loadBefore.map((n) => n.toFixed(2)).join(' ');
  log(`${report.machine.cores} cores, load ${load}; ${report.durationSeconds} s; results in ${relative(ROOT, file)}`);
  if (!stopped.graceful || stopped.leftoverPids.length > 0) {
    log(`the server did not stop cleanly: ${JSON.stringify(stopped)}`);
    process.exitCode = 1;
  }
}

main().catch((error) => {
  console.error(error);
  process.exit(1);
});
