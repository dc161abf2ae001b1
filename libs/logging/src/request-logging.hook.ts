import { randomUUID } from 'node:crypto';
import type { IncomingMessage } from 'node:http';
import type { onRequestHookHandler } from 'fastify';
import type { Logger } from 'pino';
import { normaliseIp, routeOf } from '@app/common';

/** A caller's request id is kept if it looks like one (a UUID, a trace id, ...); anything else is replaced. */
const WELL_FORMED_ID = /^[A-Za-z0-9][A-Za-z0-9._:-]{0,127}$/;

/**
 * Fastify's `genReqId`: every request's id (`request.id`) is the caller's `X-Request-Id` if well-formed, else a new
 * UUID. The id doubles as the correlation id of a 500.
 */
export function requestIdFor(request: IncomingMessage): string {
  const given = request.headers['x-request-id'];
  return typeof given === 'string' && WELL_FORMED_ID.test(given) ? given : randomUUID();
}

/**
 * Added first: answers every request's id in `X-Request-Id` on every response, and writes one log line per request
 * when it ends: id, method, route pattern, path (never the query string, which may carry codes), status, duration and
 * client address. No header, body or query is logged, so no token, secret, ticket or password can be.
 */
export function requestLoggingHook(logger: Logger): onRequestHookHandler {
  const log = logger.child({ context: 'http' });
  return (request, reply, done) => {
    const started = process.hrtime.bigint();
    const response = reply.raw;
    // On the Node response, so that every answer carries it: Fastify's own, the error handler's, a static file's.
    response.setHeader('X-Request-Id', request.id);
    let logged = false;
    const finish = () => {
      if (logged) return;
      logged = true;
      const status = response.writableFinished ? response.statusCode : 499;
      const line = {
        reqId: request.id,
        method: request.method,
        route: routeOf(request, response.statusCode),
        path: request.url.split('?')[0],
        status,
        durationMs: Math.round(Number(process.hrtime.bigint() - started) / 1e4) / 100,
        // Unknown once the connection is gone (a request cut at shutdown).
        ip: request.ip === undefined ? undefined : normaliseIp(request.ip),
      };
      // A 503 is the service saying "not now" (database down, draining), not a fault of its own.
      if (status >= 500 && status !== 503) log.error(line, 'request');
      else if (status === 503) log.warn(line, 'request');
      else log.info(line, 'request');
    };
    response.once('finish', finish);
    // A client that went away before the answer: logged as 499 (nginx's "client closed request").
    response.once('close', finish);
    done();
  };
}
