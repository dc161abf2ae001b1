import type { QrSocket, QrSocketFactory, QrSocketFactoryOptions, QrSocketListeners } from '../qr-socket.factory';

/**
 * A socket that never touches the network: the test plays the server by calling `emit`. It keeps calling listeners
 * after close(), as a late packet would, so that tests can show the watcher ignores a socket it has let go.
 */
export class FakeQrSocket implements QrSocket {
  closed = false;
  private readonly listeners = new Map<string, Array<(...args: never[]) => void>>();

  constructor(
    readonly url: string,
    readonly options: QrSocketFactoryOptions,
  ) {}

  on<E extends keyof QrSocketListeners>(event: E, listener: QrSocketListeners[E]): this {
    const list = this.listeners.get(event) ?? [];
    list.push(listener as (...args: never[]) => void);
    this.listeners.set(event, list);
    return this;
  }

  emit<E extends keyof QrSocketListeners>(event: E, ...args: Parameters<QrSocketListeners[E]>): void {
    for (const listener of this.listeners.get(event) ?? []) (listener as (...values: unknown[]) => void)(...args);
  }

  /** A handshake refused by the server: `message` is the contract code, `data` the error body (contract §4). */
  refuse(code: string, message: string): void {
    this.emit('connect_error', Object.assign(new Error(code), { data: { code, message } }));
  }

  listenerCount(): number {
    return [...this.listeners.values()].reduce((sum, list) => sum + list.length, 0);
  }

  close(): void {
    // Like socket.io-client, a close of an open socket reports `disconnect` synchronously.
    if (!this.closed) this.emit('disconnect', 'io client disconnect');
    this.closed = true;
  }
}

/** Hands out fake sockets and remembers them, newest last. */
export class FakeQrSocketFactory {
  readonly sockets: FakeQrSocket[] = [];

  readonly create: QrSocketFactory = (url, options) => {
    const socket = new FakeQrSocket(url, options);
    this.sockets.push(socket);
    return socket;
  };

  get last(): FakeQrSocket {
    const socket = this.sockets.at(-1);
    if (!socket) throw new Error('no socket was opened');
    return socket;
  }
}
