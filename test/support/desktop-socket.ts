import { io, type Socket } from 'socket.io-client';
import { QR_NAMESPACE, type QrServerToClientEvents, type QrSessionSnapshot } from '@app/contract';

type EventName = keyof QrServerToClientEvents;

/** A real socket.io-client connection of a desktop, recording every event it receives, in order. */
export class DesktopSocket {
  readonly received: Array<{ event: EventName; snapshot: QrSessionSnapshot }> = [];
  private readonly waiting: Array<{ event: EventName; resolve: (snapshot: QrSessionSnapshot) => void }> = [];

  private constructor(readonly socket: Socket<QrServerToClientEvents>) {
    socket.onAny((event: EventName, snapshot: QrSessionSnapshot) => {
      this.received.push({ event, snapshot });
      for (const waiter of this.waiting.filter((w) => w.event === event)) {
        this.waiting.splice(this.waiting.indexOf(waiter), 1);
        waiter.resolve(snapshot);
      }
    });
  }

  /** Connects and resolves once the handshake is accepted, or rejects with the `connect_error`. */
  static connect(baseUrl: string, auth: Record<string, unknown>): Promise<DesktopSocket> {
    const socket = io(`${baseUrl}${QR_NAMESPACE}`, {
      auth,
      transports: ['websocket'],
      reconnection: false,
      forceNew: true,
      timeout: 5000,
    });
    const desktop = new DesktopSocket(socket);
    return new Promise((resolve, reject) => {
      socket.once('connect', () => resolve(desktop));
      socket.once('connect_error', (error) => {
        socket.close();
        reject(error);
      });
    });
  }

  /** The first event of that name: one already received, or the next one. */
  next(event: EventName, timeoutMs = 10_000): Promise<QrSessionSnapshot> {
    return this.nth(event, 1, timeoutMs);
  }

  /** The `count`-th event of that name, received already or awaited. */
  nth(event: EventName, count: number, timeoutMs = 10_000): Promise<QrSessionSnapshot> {
    const seen = this.received.filter((entry) => entry.event === event);
    if (seen.length >= count) return Promise.resolve(seen[count - 1].snapshot);
    if (seen.length < count - 1) {
      // Wait for the one before first: events of a name arrive in order.
      return this.nth(event, count - 1, timeoutMs).then(() => this.nth(event, count, timeoutMs));
    }
    return new Promise((resolve, reject) => {
      const timer = setTimeout(() => reject(new Error(`no "${event}" within ${timeoutMs} ms; got ${this.events().join(', ')}`)), timeoutMs);
      this.waiting.push({
        event,
        resolve: (snapshot) => {
          clearTimeout(timer);
          resolve(snapshot);
        },
      });
    });
  }

  events(): EventName[] {
    return this.received.map((entry) => entry.event);
  }

  close(): void {
    this.socket.close();
  }
}
