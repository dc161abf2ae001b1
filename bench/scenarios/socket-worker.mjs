// A child process that plays many desktops over Socket.IO, so that the clients' event loop is not the one that also
// times the scans. It talks to its parent over IPC:
//   {type: 'watch', baseUrl, sessions: [{id, secret}]} → {type: 'ready', connected, failed, connectMsP50, errors}
//   {type: 'collect', timeoutMs}                        → {type: 'scanned', at: {id: epochMs}}, then it exits
import { io } from 'socket.io-client';
import { mapWithConcurrency, nowMs } from '../lib/pool.mjs';
import { percentile } from '../lib/stats.mjs';

const CONNECT_CONCURRENCY = 25;
const CONNECT_TIMEOUT_MS = 10_000;
const sockets = [];
const scannedAt = {};
let expected = 0;

// Never outlive the benchmark, whatever happened to it.
process.on('disconnect', () => process.exit(0));

/** Connects one desktop and resolves once its first `status` arrived (contract §4: it comes at once). */
function watch(baseUrl, session) {
  return new Promise((resolve) => {
    const started = nowMs();
    // WebSocket only: the long-poll transport is measured by its own scenario.
    const socket = io(`${baseUrl}/qr`, {
      auth: { qrId: session.id, secret: session.secret },
      transports: ['websocket'],
      reconnection: false,
      forceNew: true,
      timeout: CONNECT_TIMEOUT_MS,
    });
    sockets.push(socket);
    socket.on('scanned', () => {
      scannedAt[session.id] ??= nowMs();
    });
    // A connection that neither fails nor sends `status` in time counts as failed rather than stalling the run.
    const timer = setTimeout(() => resolve({ ok: false, error: 'no status in time' }), CONNECT_TIMEOUT_MS);
    socket.once('status', () => (clearTimeout(timer), resolve({ ok: true, ms: nowMs() - started })));
    socket.once('connect_error', (error) => (clearTimeout(timer), resolve({ ok: false, error: error.message })));
  });
}

async function onWatch({ baseUrl, sessions }) {
  expected = sessions.length;
  const outcomes = await mapWithConcurrency(sessions, CONNECT_CONCURRENCY, (session) => watch(baseUrl, session));
  const connected = outcomes.filter((outcome) => outcome.ok);
  process.send({
    type: 'ready',
    connected: connected.length,
    failed: outcomes.length - connected.length,
    connectMsP50: percentile(
      connected.map((outcome) => outcome.ms),
      50,
    ),
    errors: [...new Set(outcomes.filter((outcome) => !outcome.ok).map((outcome) => outcome.error))],
  });
}

async function onCollect({ timeoutMs }) {
  const deadline = Date.now() + timeoutMs;
  while (Object.keys(scannedAt).length < expected && Date.now() < deadline) {
    await new Promise((resolve) => setTimeout(resolve, 20));
  }
  process.send({ type: 'scanned', at: scannedAt }, () => {
    sockets.forEach((socket) => socket.disconnect());
    process.exit(0);
  });
}

process.on('message', (message) => {
  if (message.type === 'watch') void onWatch(message);
  if (message.type === 'collect') void onCollect(message);
});
