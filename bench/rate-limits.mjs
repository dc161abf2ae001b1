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
import { join } from 'node:path';
import { endRun, fixed, pairsNeeded, runFacts, runInterleaved, table } from './lib/interleaved.mjs';
import { positiveInt, requireBuilt, RESULTS, startRun } from './lib/run-setup.mjs';

/**
 * Sign-ins per second the spread is sized for, sustained on the server with limits on (the budget check guards it).
 * A faster machine needs more (BENCH_DESIGN_RATE): each pair signs up first, so more pairs take longer to set up.
 */
const DESIGN_RATE = positiveInt('BENCH_DESIGN_RATE', 128);

/** The service's own policies, read from the build (so only once `startRun` has built it). */
const policies = () => requireBuilt('dist/libs/rate-limits/src/rate-limit.policies.js').RATE_LIMIT_POLICIES;

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

async function main() {
  const { startedAt, stamp } = startRun(log);
  SETTINGS.pairs = positiveInt('BENCH_PAIRS', pairsNeeded(policies(), DESIGN_RATE));
  if (SETTINGS.aa) log('BENCH_AA=1: the server labelled "on" runs with RATE_LIMITS=off too');
  log(`${SETTINGS.pairs} desktop and phone pairs (sized for ${DESIGN_RATE} sign-ins/s), ${SETTINGS.concurrency} at a time`);
  const sides = [
    { label: 'off', env: { RATE_LIMITS: 'off' } },
    { label: 'on', env: { RATE_LIMITS: SETTINGS.aa ? 'off' : 'on' } },
  ];
  const loadBefore = os.loadavg();
  const { sequence, summary, ratio, budgets, stopped } = await runInterleaved({
    sides,
    baseEnv: SERVER_ENV,
    policies: policies(),
    ...SETTINGS,
    stamp: `${stamp}-rate-limits`,
    results: RESULTS,
    log,
  });
  const peak = budgets.on;
  const report = {
    ...runFacts(startedAt, loadBefore),
    settings: { ...SETTINGS, designRate: DESIGN_RATE, serverEnv: SERVER_ENV, policies: policies() },
    summary,
    ratio,
    peakUseOfLimits: peak,
    sequence: sequence.map(({ side, ...measured }) => ({ rateLimits: side, ...measured })),
    serverStop: stopped,
  };
  const file = join(RESULTS, `${stamp}-rate-limits.json`);
  writeFileSync(file, `${JSON.stringify(report, null, 2)}\n`);
  console.log(`\n${table('rate limits', sides, summary)}\n`);
  const percent = (value) => `${((1 - value) * 100).toFixed(1)} %`;
  log(
    `on ÷ off: ${fixed(ratio.ofMedians, 3)} of the medians (cost ${percent(ratio.ofMedians)}), ` +
      `${fixed(ratio.medianOfRounds, 3)} median of the rounds (cost ${percent(ratio.medianOfRounds)}; rounds ${ratio.rounds.map((r) => fixed(r, 2)).join(', ')})`,
  );
  const busiest = Object.entries(peak).map(([policy, p]) => `${policy} ${p.used}/${p.limit} per ${p.windowSeconds} s`);
  log(`busiest address with limits on: ${busiest.join(', ')}`);
  endRun({ report, file, stopped, log });
}

main().catch((error) => {
  console.error(`[rate-limits] failed: ${error.message}`);
  process.exit(1);
});
