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
    const seen = this.received.find((entry) => entry.event === event);
    if (seen) return Promise.resolve(seen.snapshot);
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
