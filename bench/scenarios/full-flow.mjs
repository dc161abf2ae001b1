// Scenario 6: the whole sign-in, as a desktop and a phone do it one step after the other: create → scan → confirm →
// the desktop reads its session and finds its token. `concurrency` such pairs loop for a fixed time.
import { loopFor, nowMs } from '../lib/pool.mjs';
import { healthLatency } from '../lib/probes.mjs';
import { percentile } from '../lib/stats.mjs';

/** One sign-in, timing each step; throws unless the desktop ends up holding a token. */
async function signIn(api, phone, steps) {
  const step = async (name, call) => {
    const started = nowMs();
    const result = await call();
    steps[name].push(nowMs() - started);
    return result;
  };
  const session = await step('create', () => api.createSession('none'));
  const { scanTicket } = await step('scan', () => api.scan(phone, session.id));
  await step('confirm', () => api.confirm(phone, session.id, scanTicket));
  const snapshot = await step('read', () => api.snapshot(session));
  if (snapshot.status !== 'confirmed' || !snapshot.login?.accessToken) {
    throw new Error(`the desktop read ${snapshot.status} without a token`);
  }
}

export async function fullFlow({ api, phones, seconds }) {
  const latencies = [];
  const steps = { create: [], scan: [], confirm: [], read: [] };
  let failures = 0;
  let firstError;
  // At the same concurrency as the sign-ins, and just before them: a sign-in's p50 over this is its cost in health checks.
  const health = await healthLatency(api, { count: 100, concurrency: phones.length });
  const { completed, elapsedMs } = await loopFor(seconds * 1000, phones.length, async (worker) => {
    const started = nowMs();
    try {
      await signIn(api, phones[worker], steps);
      latencies.push(nowMs() - started);
    } catch (error) {
      failures++;
      firstError ??= error.message;
    }
  });
  return {
    concurrency: phones.length,
    flows: latencies.length,
    failures,
    firstError,
    flowsPerSecond: (latencies.length * 1000) / elapsedMs,
    attempted: completed,
    latencyP50: percentile(latencies, 50),
    latencyP95: percentile(latencies, 95),
    // Where a sign-in spends its time: the step that dominates is the one to look at first.
    health,
    stepP50: Object.fromEntries(Object.entries(steps).map(([name, values]) => [name, percentile(values, 50)])),
  };
}
