import type { ServerResponse } from 'node:http';
import type { onRequestHookHandler } from 'fastify';
import type { Drain } from './drain';

/**
 * Fastify's `onRequest` hook of draining: requests in flight are counted so that draining can wait for them, and an
 * answer written while draining (also of a request that came before) closes its connection, so that keep-alive
 * clients reconnect to a process that stays.
 */
export function drainHook(drain: Drain): onRequestHookHandler {
  return (_request, reply, done) => {
    const response = reply.raw;
    response.once('close', drain.requestStarted());
    const writeHead = response.writeHead;
    response.writeHead = function (this: ServerResponse, ...args: unknown[]) {
      if (drain.isDraining && !this.headersSent) this.setHeader('Connection', 'close');
      return (writeHead as (...a: unknown[]) => ServerResponse).apply(this, args);
    } as ServerResponse['writeHead'];
    done();
  };
}
