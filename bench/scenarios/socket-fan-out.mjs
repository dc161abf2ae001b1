// Scenario 5: many desktops watching their sessions over Socket.IO, each scanned; times scan → `scanned` event. The
// desktops live in worker processes (socket-worker.mjs) so that receiving events does not delay sending the scans.
import { fork } from 'node:child_process';
import { fileURLToPath } from 'node:url';
import { mapWithConcurrency, nowMs } from '../lib/pool.mjs';
import { healthLatency } from '../lib/probes.mjs';
import { rssKib } from '../lib/server.mjs';
import { percentile } from '../lib/stats.mjs';
import { waitForQuiet } from '../lib/quiet.mjs';

const WORKER = fileURLToPath(new URL('./socket-worker.mjs', import.meta.url));
const COLLECT_TIMEOUT_MS = 15_000;
const WORKER_EXIT_TIMEOUT_MS = 5_000;

function startWorker() {
  const child = fork(WORKER, [], { stdio: ['ignore', 'inherit', 'inherit', 'ipc'] });
  const exited = new Promise((resolve) => child.once('exit', resolve));
  const next = (type) =>
    new Promise((resolve, reject) => {
      const onMessage = (message) => message.type === type && (child.off('message', onMessage), resolve(message));
      child.on('message', onMessage);
      exited.then(() => reject(new Error(`socket worker ${child.pid} exited before '${type}'`)));
    });
  return { child, exited, next };
}

/** Lets a worker leave (closing the IPC channel ends it); kills that one pid if it does not. */
async function reap(worker) {
  if (worker.child.connected) worker.child.disconnect();
  const timer = setTimeout(() => worker.child.kill('SIGKILL'), WORKER_EXIT_TIMEOUT_MS);
  await worker.exited;
  clearTimeout(timer);
}

export async function socketFanOut({ api, server, phone, sockets, workers, scanConcurrency }) {
  const sessions = await mapWithConcurrency(Array.from({ length: sockets }), 20, () => api.createSession('none'));
  const pool = Array.from({ length: workers }, startWorker);
  try {
    const rssBefore = rssKib(server.pid);
    const shares = pool.map((_, index) => sessions.filter((__, i) => i % workers === index));
    const ready = await Promise.all(
      pool.map((worker, index) => {
        const reply = worker.next('ready');
        const share = shares[index].map(({ id, secret }) => ({ id, secret }));
        worker.child.send({ type: 'watch', baseUrl: server.baseUrl, sessions: share });
        return reply;
      }),
    );
    await waitForQuiet(server.pid);
    const rssConnected = rssKib(server.pid);
    const health = await healthLatency(api, { count: 200, concurrency: scanConcurrency });

    const scannedAt = new Map();
    const scanMs = await mapWithConcurrency(sessions, scanConcurrency, async (session) => {
      const started = nowMs();
      scannedAt.set(session.id, started);
      await api.scan(phone, session.id);
      return nowMs() - started;
    });
    const received = await Promise.all(
      pool.map((worker) => {
        const reply = worker.next('scanned');
        worker.child.send({ type: 'collect', timeoutMs: COLLECT_TIMEOUT_MS });
        return reply;
      }),
    );
    const latencies = received.flatMap((reply) => Object.entries(reply.at).map(([id, at]) => at - scannedAt.get(id)));
    return {
      sockets,
      connected: ready.reduce((sum, reply) => sum + reply.connected, 0),
      connectFailures: ready.reduce((sum, reply) => sum + reply.failed, 0),
      connectErrors: [...new Set(ready.flatMap((reply) => reply.errors))],
      connectMsP50: percentile(
        ready.map((reply) => reply.connectMsP50).filter((ms) => ms != null),
        50,
      ),
      received: latencies.length,
      latencyP50: percentile(latencies, 50),
      latencyP95: percentile(latencies, 95),
      scanP50: percentile(scanMs, 50),
      health,
      rssKib: { before: rssBefore, connected: rssConnected },
    };
  } finally {
    await Promise.all(pool.map(reap));
  }
}
