// Scenario 6: the whole sign-in, as a desktop and a phone do it one step after the other: create → scan → confirm →
// the desktop reads its session and finds its token. `concurrency` such pairs loop for a fixed time.
// `npm run bench:rate-limits` runs the same sign-ins (signInLoop) from many source addresses.
import { loopFor, nowMs } from '../lib/pool.mjs';
import { healthLatency } from '../lib/probes.mjs';
import { percentile } from '../lib/stats.mjs';

export const STEPS = ['create', 'scan', 'confirm', 'read'];

/**
 * One sign-in, timing each step into `steps` (when given); throws unless the desktop ends up holding a token.
 * `desktop` and `phoneApi` are the APIs the desktop and the phone call through (the same one, or each on its own
 * source address); `phone` is the signed-in phone (its headers). With `until`, it stops after that step (a part of a
 * sign-in, for `npm run bench:steps`).
 */
export async function signIn({ desktop, phoneApi, phone }, steps, until = 'read') {
  const step = async (name, call) => {
    const started = nowMs();
    const result = await call();
    steps?.[name].push(nowMs() - started);
    return result;
  };
  const session = await step('create', () => desktop.createSession('none'));
  if (until === 'create') return;
  const { scanTicket } = await step('scan', () => phoneApi.scan(phone, session.id));
  if (until === 'scan') return;
  await step('confirm', () => phoneApi.confirm(phone, session.id, scanTicket));
  if (until === 'confirm') return;
  const snapshot = await step('read', () => desktop.snapshot(session));
  if (snapshot.status !== 'confirmed' || !snapshot.login?.accessToken) {
    throw new Error(`the desktop read ${snapshot.status} without a token`);
  }
}

/**
 * `concurrency` loops of sign-ins for `seconds`; each sign-in is done by `pairFor(worker)` (called once per sign-in).
 * A failed sign-in is counted, with the first error, and the loop goes on.
 */
export async function signInLoop({ concurrency, seconds, pairFor }) {
  const latencies = [];
  const steps = Object.fromEntries(STEPS.map((name) => [name, []]));
  let failures = 0;
  let firstError;
  const { completed, elapsedMs } = await loopFor(seconds * 1000, concurrency, async (worker) => {
    const started = nowMs();
    try {
      await signIn(pairFor(worker), steps);
      latencies.push(nowMs() - started);
    } catch (error) {
      failures++;
      firstError ??= error.message;
    }
  });
  return {
    concurrency,
    flows: latencies.length,
    failures,
    firstError,
    flowsPerSecond: (latencies.length * 1000) / elapsedMs,
    attempted: completed,
    elapsedMs,
    latencyP50: percentile(latencies, 50),
    latencyP95: percentile(latencies, 95),
    // Where a sign-in spends its time: the step that dominates is the one to look at first.
    stepP50: Object.fromEntries(Object.entries(steps).map(([name, values]) => [name, percentile(values, 50)])),
  };
}

export async function fullFlow({ api, phones, seconds }) {
  // At the same concurrency as the sign-ins, and just before them: a sign-in's p50 over this is its cost in health checks.
  const health = await healthLatency(api, { count: 100, concurrency: phones.length });
  const result = await signInLoop({
    concurrency: phones.length,
    seconds,
    pairFor: (worker) => ({ desktop: api, phoneApi: api, phone: phones[worker] }),
  });
  return { ...result, health };
}
