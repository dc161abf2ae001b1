// `npm run bench:compare`: full sign-ins on two builds or two configurations of the service, measured in turn (A, B,
// A, B, ..., A), the way `npm run bench:rate-limits` compares limits off and on. What a change is worth on a shared
// machine: the same client, the same seconds, each B between two A, and the CPU each side used per sign-in.
//
//   BENCH_A_ROOT, BENCH_B_ROOT   another checkout to run as that side, built already (default: this one, built here)
//   BENCH_A_ENV, BENCH_B_ENV     JSON of environment variables for that side's server, e.g. '{"DATABASE_POOL_SIZE":"20"}'
//   BENCH_CONCURRENCY            sign-ins at a time (default 10, as `npm run bench`): more shows how far each side gets
//                                once the cores, not the waits between them, are the limit
//
// Both sides run with RATE_LIMITS=off unless their env says otherwise; the sign-ins are spread over addresses all the
// same (as in bench:rate-limits), so that limits on one side cannot stop the run.
import { writeFileSync } from 'node:fs';
import os from 'node:os';
import { join, relative, resolve } from 'node:path';
import { endRun, fixed, pairsNeeded, runFacts, runInterleaved, table } from './lib/interleaved.mjs';
import { positiveInt, requireBuilt, RESULTS, ROOT, startRun } from './lib/run-setup.mjs';

const DESIGN_RATE = positiveInt('BENCH_DESIGN_RATE', 256);
const SETTINGS = {
  rounds: positiveInt('BENCH_ROUNDS', 5),
  seconds: positiveInt('BENCH_SECONDS', 5),
  concurrency: positiveInt('BENCH_CONCURRENCY', 10),
  pairs: 0,
};
const SERVER_ENV = { QR_TTL_SECONDS: '900', RATE_LIMITS: 'off' };

const log = (message) => console.log(`[compare] ${message}`);

function side(label, name) {
  const root = process.env[`BENCH_${name}_ROOT`];
  let env = {};
  try {
    env = JSON.parse(process.env[`BENCH_${name}_ENV`] ?? '{}');
  } catch {
    throw new Error(`BENCH_${name}_ENV must be a JSON object of environment variables`);
  }
  return { label, root: root ? resolve(root) : ROOT, env };
}

async function main() {
  const { startedAt, stamp } = startRun(log);
  const policies = requireBuilt('dist/libs/rate-limits/src/rate-limit.policies.js').RATE_LIMIT_POLICIES;
  SETTINGS.pairs = positiveInt('BENCH_PAIRS', pairsNeeded(policies, DESIGN_RATE));
  const sides = [side('A', 'A'), side('B', 'B')];
  for (const { label, root, env } of sides) log(`${label}: ${relative(ROOT, root) || '.'} ${JSON.stringify(env)}`);
  const loadBefore = os.loadavg();
  const { sequence, summary, ratio, stopped } = await runInterleaved({
    sides,
    baseEnv: SERVER_ENV,
    policies,
    ...SETTINGS,
    stamp: `${stamp}-compare`,
    results: RESULTS,
    log,
  });
  const report = {
    ...runFacts(startedAt, loadBefore),
    settings: { ...SETTINGS, designRate: DESIGN_RATE, serverEnv: SERVER_ENV, sides },
    summary,
    ratio,
    sequence,
    serverStop: stopped,
  };
  const file = join(RESULTS, `${stamp}-compare.json`);
  writeFileSync(file, `${JSON.stringify(report, null, 2)}\n`);
  console.log(`\n${table('side', sides, summary)}\n`);
  log(
    `B ÷ A: ${fixed(ratio.ofMedians, 3)} of the medians, ${fixed(ratio.medianOfRounds, 3)} median of the rounds ` +
      `(rounds ${ratio.rounds.map((r) => fixed(r, 2)).join(', ')})`,
  );
  endRun({ report, file, stopped, log });
}

main().catch((error) => {
  console.error(`[compare] failed: ${error.message}`);
  process.exit(1);
});
