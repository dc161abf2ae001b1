import type { Server } from 'node:http';

export interface ClosedServer {
  /** Whether connections were still open at the deadline and had to be cut. */
  forced: boolean;
}

/**
 * Stops accepting connections and waits for the open ones to end: requests in flight finish (their answers carry
 * `Connection: close` while draining), idle keep-alive connections are closed as soon as they are idle. At `deadline`
 * (epoch ms) whatever is still open is cut.
 */
export function closeHttpServer(server: Server, deadline: number): Promise<ClosedServer> {
  return new Promise((resolveClose) => {
    let forced = false;
    const idle = setInterval(() => server.closeIdleConnections(), 50);
    const force = setTimeout(
      () => {
        forced = true;
        server.closeAllConnections();
      },
      Math.max(0, deadline - Date.now()),
    );
    server.close(() => {
      clearInterval(idle);
      clearTimeout(force);
      resolveClose({ forced });
    });
    server.closeIdleConnections();
  });
}
