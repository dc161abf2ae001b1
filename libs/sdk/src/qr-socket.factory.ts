import { io, type ManagerOptions, type Socket, type SocketOptions } from 'socket.io-client';
import type { QrClientToServerEvents, QrServerToClientEvents, QrSocketAuth } from '@app/contract';

/** What a socket hears: the contract's events plus socket.io's own connection events. */
export interface QrSocketListeners extends QrServerToClientEvents {
  connect: () => void;
  /** A refused handshake has the contract's code as `message` and `{code, message}` as `data` (contract §4). */
  connect_error: (error: Error & { data?: unknown }) => void;
  disconnect: (reason: string) => void;
}

/** The little of a socket.io-client socket that the watcher uses, so that unit tests can stand in a fake. */
export interface QrSocket {
  on<E extends keyof QrSocketListeners>(event: E, listener: QrSocketListeners[E]): unknown;
  close(): void;
}

export interface QrSocketFactoryOptions extends Partial<ManagerOptions & SocketOptions> {
  auth: QrSocketAuth;
}

/** Opens a socket to `url` (origin + namespace); the default is socket.io-client's `io`. */
export type QrSocketFactory = (url: string, options: QrSocketFactoryOptions) => QrSocket;

/** socket.io-client's `io`, behind the narrow interface. */
export const socketIoFactory: QrSocketFactory = (url, options) => {
  const socket: Socket<QrServerToClientEvents, QrClientToServerEvents> = io(url, options);
  return {
    // socket.io's `on` is generic over its own event maps; the listener types above are the same ones, spelled out.
    on: (event, listener) => socket.on(event, listener as never),
    close: () => {
      socket.close();
    },
  };
};
