import type { Server } from 'node:http';
import type { Socket } from 'node:net';
import { addressKey } from './address-key';
import { OpenSocketCounter } from './open-socket-counter';

/**
 * Caps the TCP connections one client address (an IPv6 client by its /64) holds open on this server at once: past
 * the cap a new connection is closed as it arrives, before it costs more than its descriptor. Without it, one client
 * opening idle connections could take every descriptor of the process, and then nobody else could connect.
 */
export function capConnectionsPerAddress(server: Server, cap: number): void {
  const open = new OpenSocketCounter(cap);
  server.on('connection', (socket: Socket) => {
    const address = addressKey(socket.remoteAddress);
    if (open.isFull(address)) return void socket.destroy();
    socket.once('close', open.add(address));
  });
}
