// The yardstick of the idle-sockets scenario: a bare Socket.IO server (the same socket.io as the service) that does
// the least a QR watcher needs: a /qr namespace whose handshake takes `auth: {qrId, secret}`, a room per session, and
// `status` at once. No database, no Nest. Forked by the benchmark; it talks over IPC:
//   (start)           → {type: 'listening', port}
//   {type: 'lag'}     → {type: 'lag', p50Ms, p99Ms, maxMs, heapUsed}: event-loop delay since the last 'lag' (then
//                        reset), and the V8 heap in use
// It exits when the benchmark disconnects.
import { createServer } from 'node:http';
import { monitorEventLoopDelay } from 'node:perf_hooks';
import { Server } from 'socket.io';

// The same resolution as prom-client's default event-loop metrics, which the service's figures come from.
const lag = monitorEventLoopDelay({ resolution: 10 });
lag.enable();

const http = createServer();
const io = new Server(http, { serveClient: false });
io.of('/qr').on('connection', (socket) => {
  const { qrId } = socket.handshake.auth ?? {};
  socket.join(String(qrId));
  socket.emit('status', { id: qrId, status: 'pending' });
});

process.on('disconnect', () => process.exit(0));
process.on('message', (message) => {
  if (message?.type !== 'lag') return;
  process.send({
    type: 'lag',
    p50Ms: lag.percentile(50) / 1e6,
    p99Ms: lag.percentile(99) / 1e6,
    maxMs: lag.max / 1e6,
    heapUsed: process.memoryUsage().heapUsed,
  });
  lag.reset();
});

http.listen(0, '127.0.0.1', () => process.send({ type: 'listening', port: http.address().port }));
