import { io, type Socket } from 'socket.io-client';

export interface SocketAttempt {
  auth?: Record<string, unknown>;
  /** Sent with the handshake (Node's client sends them on every transport), e.g. a forged `Origin`. */
  headers?: Record<string, string>;
  transports?: Array<'websocket' | 'polling'>;
  /** The source address of the connection (any of 127.0.0.0/8), so that per-address limits can be tried honestly. */
  localAddress?: string;
}

/**
 * Opens a real socket.io-client connection to a namespace; resolves once the server let it in, rejects with the
 * `connect_error` otherwise (its `message` is the contract code for a refusal by a namespace, a transport error when
 * the engine refused the handshake).
 */
export function connectSocket(baseUrl: string, namespace: string, attempt: SocketAttempt = {}): Promise<Socket> {
  const socket = io(`${baseUrl}${namespace}`, {
    auth: attempt.auth ?? {},
    extraHeaders: attempt.headers,
    transports: attempt.transports ?? ['websocket'],
    reconnection: false,
    forceNew: true,
    timeout: 5000,
    ...(attempt.localAddress ? { localAddress: attempt.localAddress } : {}),
  } as Parameters<typeof io>[1]);
  return new Promise((resolve, reject) => {
    socket.once('connect', () => resolve(socket));
    socket.once('connect_error', (error) => {
      socket.close();
      reject(error);
    });
  });
}
