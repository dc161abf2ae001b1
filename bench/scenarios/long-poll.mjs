// Scenario 4: many desktops long-polling at once. A held long-poll is meant to be a promise in memory: no database
// connection, no re-query, little memory. This holds `holders` of them, scans every session, and times scan → answer.
import { setMaxListeners } from 'node:events';
import { mapWithConcurrency, nowMs } from '../lib/pool.mjs';
import { healthLatency, serverConnections } from '../lib/probes.mjs';
import { rssKib } from '../lib/server.mjs';
import { percentile } from '../lib/stats.mjs';
import { waitForQuiet } from '../lib/quiet.mjs';

const ANSWER_TIMEOUT_MS = 15_000;

export async function longPollFanIn({ api, server, db, phone, holders, scanConcurrency }) {
  const sessions = await mapWithConcurrency(Array.from({ length: holders }), 20, () => api.createSession('none'));
  await waitForQuiet(server.pid);
  const healthIdle = await healthLatency(api, { count: 200, concurrency: scanConcurrency });
  const rssBefore = rssKib(server.pid);

  // One signal lets go of every held request, each of which listens to it: without this, Node warns of a leak.
  const abort = new AbortController();
  setMaxListeners(holders, abort.signal);
  let answeredEarly = 0;
  let scanning = false;
  const answers = sessions.map((session) =>
    api.snapshot(session, { since: 'pending', wait: 30, signal: abort.signal }).then(
      (snapshot) => {
        if (!scanning) answeredEarly++;
        return { status: snapshot.status, at: nowMs() };
      },
      (error) => ({ error: error.message, at: nowMs() }),
    ),
  );
  try {
    // Every held request has been read and parked once the server has nothing left to do.
    await api.health();
    await waitForQuiet(server.pid);
    const rssHeld = rssKib(server.pid);
    const connectionsHeld = await serverConnections(db);
    const healthHeld = await healthLatency(api, { count: 200, concurrency: scanConcurrency });

    scanning = true;
    const scannedAt = new Array(holders);
    const scanMs = await mapWithConcurrency(sessions, scanConcurrency, async (session, index) => {
      scannedAt[index] = nowMs();
      await api.scan(phone, session.id);
      return nowMs() - scannedAt[index];
    });
    setTimeout(() => abort.abort(), ANSWER_TIMEOUT_MS).unref();
    const results = await Promise.all(answers);
    const rss = { before: rssBefore, held: rssHeld, after: rssKib(server.pid) };
    return { holders, answeredEarly, healthIdle, healthHeld, connectionsHeld, rssKib: rss, ...timings(results, scannedAt, scanMs) };
  } finally {
    // A failed step must not leave hundreds of requests held for their full `wait`.
    abort.abort();
  }
}

/** Scan → answer of every long-poll that saw `scanned`, beside the scans' own round trips. */
function timings(results, scannedAt, scanMs) {
  const latencies = results.flatMap((result, index) => (result.status === 'scanned' ? [result.at - scannedAt[index]] : []));
  return {
    answered: latencies.length,
    errors: results.filter((result) => result.error).length,
    latencyP50: percentile(latencies, 50),
    latencyP95: percentile(latencies, 95),
    // The scan's own round trip: an answer that comes no later than it costs nothing beyond the scan itself.
    scanP50: percentile(scanMs, 50),
  };
}
