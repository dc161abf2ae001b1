// Scenario: idle capacity. `count` desktops connect over Socket.IO (from worker processes) and wait on their sessions
// in the one service process; then as many connect to a bare Socket.IO server (bench/lib/bare-socket-server.mjs) in
// the same run. For each: VmRSS per socket and the event-loop delay of the server while it holds them all idle.
import { fork } from 'node:child_process';
import { fileURLToPath } from 'node:url';
import { mapWithConcurrency } from '../lib/pool.mjs';
import { healthLatency } from '../lib/probes.mjs';
import { waitForQuiet } from '../lib/quiet.mjs';
import { rssKib } from '../lib/server.mjs';

const WORKER = fileURLToPath(new URL('./socket-worker.mjs', import.meta.url));
const BARE = fileURLToPath(new URL('../lib/bare-socket-server.mjs', import.meta.url));
const EXIT_TIMEOUT_MS = 5_000;

function forked(file) {
  const child = fork(file, [], { stdio: ['ignore', 'inherit', 'inherit', 'ipc'] });
  const exited = new Promise((resolve) => child.once('exit', resolve));
  const next = (type) =>
    new Promise((resolve, reject) => {
      const onMessage = (message) => message.type === type && (child.off('message', onMessage), resolve(message));
      child.on('message', onMessage);
      exited.then(() => reject(new Error(`${file} (${child.pid}) exited before '${type}'`)));
    });
  return { child, exited, next };
}

/** Lets a child leave (closing the IPC channel ends it); kills that one pid if it does not. */
async function reap(proc) {
  if (proc.child.connected) proc.child.disconnect();
  const timer = setTimeout(() => proc.child.kill('SIGKILL'), EXIT_TIMEOUT_MS);
  await proc.exited;
  clearTimeout(timer);
}

/** Connects `sessions` to `baseUrl` from `workers` processes; answers them once every socket has its `status`. */
async function connectAll(baseUrl, sessions, workers) {
  const pool = Array.from({ length: workers }, () => forked(WORKER));
  const ready = await Promise.all(
    pool.map((worker, index) => {
      const reply = worker.next('ready');
      worker.child.send({ type: 'watch', baseUrl, sessions: sessions.filter((_, i) => i % workers === index) });
      return reply;
    }),
  );
  const connected = ready.reduce((sum, reply) => sum + reply.connected, 0);
  const errors = [...new Set(ready.flatMap((reply) => reply.errors))];
  return { pool, connected, failed: sessions.length - connected, errors };
}

/**
 * The service's event-loop delay percentiles (prom-client's default metrics, reset at every scrape), in ms, and its
 * V8 heap in use (RSS follows the heap's reserved size, which grows in steps: the heap in use says more per socket).
 */
async function serviceLag(baseUrl) {
  const text = await fetch(`${baseUrl}/metrics`).then((response) => response.text());
  const read = (name) => {
    const match = new RegExp(`^${name} ([0-9.e+-]+)`, 'm').exec(text);
    return match ? Number(match[1]) * 1000 : null;
  };
  const heap = /^nodejs_heap_size_used_bytes ([0-9.e+-]+)/m.exec(text);
  return {
    p50Ms: read('nodejs_eventloop_lag_p50_seconds'),
    p99Ms: read('nodejs_eventloop_lag_p99_seconds'),
    maxMs: read('nodejs_eventloop_lag_max_seconds'),
    heapUsed: heap ? Number(heap[1]) : null,
  };
}

const perSocket = (before, after, count) => (before != null && after != null && count > 0 ? (after - before) / count : null);

export async function idleSockets({ api, server, count, workers, holdSeconds }) {
  const sessions = (await mapWithConcurrency(Array.from({ length: count }), 20, () => api.createSession('none'))).map(({ id, secret }) => ({
    id,
    secret,
  }));

  // The service.
  await waitForQuiet(server.pid);
  const serviceBefore = rssKib(server.pid);
  const serviceHeapBefore = (await serviceLag(server.baseUrl)).heapUsed;
  const service = await connectAll(server.baseUrl, sessions, workers);
  let serviceHeld;
  try {
    await waitForQuiet(server.pid, { timeoutMs: 30_000 });
    await serviceLag(server.baseUrl); // resets the histogram: the next scrape covers the hold only
    await new Promise((resolve) => setTimeout(resolve, holdSeconds * 1000));
    const lag = await serviceLag(server.baseUrl);
    const rss = rssKib(server.pid);
    const health = await healthLatency(api, { count: 100, concurrency: 10 });
    serviceHeld = { lag, rss, health };
  } finally {
    await Promise.all(service.pool.map(reap));
  }

  // The bare Socket.IO server, with as many sockets.
  const bare = forked(BARE);
  let bareResult;
  try {
    const { port } = await bare.next('listening');
    await waitForQuiet(bare.child.pid);
    const bareBefore = rssKib(bare.child.pid);
    const heapBeforeReply = bare.next('lag');
    bare.child.send({ type: 'lag' });
    const bareHeapBefore = (await heapBeforeReply).heapUsed;
    const fakes = sessions.map((session, i) => ({ id: `bare-${i}`, secret: session.secret }));
    const held = await connectAll(`http://127.0.0.1:${port}`, fakes, workers);
    try {
      await waitForQuiet(bare.child.pid, { timeoutMs: 30_000 });
      const reset = bare.next('lag');
      bare.child.send({ type: 'lag' });
      await reset;
      await new Promise((resolve) => setTimeout(resolve, holdSeconds * 1000));
      const lagReply = bare.next('lag');
      bare.child.send({ type: 'lag' });
      const { p50Ms, p99Ms, maxMs, heapUsed } = await lagReply;
      const rss = rssKib(bare.child.pid);
      bareResult = {
        connected: held.connected,
        failed: held.failed,
        errors: held.errors,
        rssKib: { before: bareBefore, held: rss },
        perSocketKib: perSocket(bareBefore, rss, held.connected),
        heapPerSocketKib: perSocket(bareHeapBefore / 1024, heapUsed / 1024, held.connected),
        lag: { p50Ms, p99Ms, maxMs },
      };
    } finally {
      await Promise.all(held.pool.map(reap));
    }
  } finally {
    await reap(bare);
  }

  return {
    count,
    service: {
      connected: service.connected,
      failed: service.failed,
      errors: service.errors,
      rssKib: { before: serviceBefore, held: serviceHeld.rss },
      perSocketKib: perSocket(serviceBefore, serviceHeld.rss, service.connected),
      heapPerSocketKib: perSocket(serviceHeapBefore / 1024, serviceHeld.lag.heapUsed / 1024, service.connected),
      lag: serviceHeld.lag,
      healthWhileHeld: serviceHeld.health,
    },
    bare: bareResult,
  };
}
