import { randomUUID } from 'node:crypto';
import type { NextFunction, Request, Response } from 'express';
import type { Logger } from 'pino';
import { routeOf } from '@app/common';

/** A caller's request id is kept if it looks like one (a UUID, a trace id, ...); anything else is replaced. */
const WELL_FORMED_ID = /^[A-Za-z0-9][A-Za-z0-9._:-]{0,127}$/;

/** The request id of a request that went through {@link requestLoggingMiddleware}. */
export function requestIdOf(response: Response): string | undefined {
  return (response.locals as { requestId?: string } | undefined)?.requestId;
}

/**
 * Installed first: gives every request an id (the caller's `X-Request-Id` if well-formed, else a new UUID), answers it
 * in `X-Request-Id` on every response, and writes one log line per request when it ends: id, method, route pattern,
 * path (never the query string, which may carry codes), status, duration and client address. No header, body or query
 * is logged, so no token, secret, ticket or password can be.
 */
export function requestLoggingMiddleware(logger: Logger) {
  const log = logger.child({ context: 'http' });
  return (request: Request, response: Response, next: NextFunction): void => {
    const started = process.hrtime.bigint();
    const given = request.headers['x-request-id'];
    const requestId = typeof given === 'string' && WELL_FORMED_ID.test(given) ? given : randomUUID();
    (response.locals as { requestId?: string }).requestId = requestId;
    response.setHeader('X-Request-Id', requestId);
    let logged = false;
    const done = () => {
      if (logged) return;
      logged = true;
      const status = response.writableFinished ? response.statusCode : 499;
      const line = {
        reqId: requestId,
        method: request.method,
        route: routeOf(request, response.statusCode),
        path: (request.originalUrl ?? request.url).split('?')[0],
        status,
        durationMs: Math.round(Number(process.hrtime.bigint() - started) / 1e4) / 100,
        ip: request.ip,
      };
      // A 503 is the service saying "not now" (database down, draining), not a fault of its own.
      if (status >= 500 && status !== 503) log.error(line, 'request');
      else if (status === 503) log.warn(line, 'request');
      else log.info(line, 'request');
    };
    response.once('finish', done);
    // A client that went away before the answer: logged as 499 (nginx's "client closed request").
    response.once('close', done);
    next();
  };
}
