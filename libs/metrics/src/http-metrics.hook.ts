import type { onRequestHookHandler } from 'fastify';
import { routeOf } from '@app/common';
import type { MetricsService } from './metrics.service';

/**
 * A Fastify `onRequest` hook, added before any route so that every request (API, pages, refusals by the body parser)
 * is timed into `http_request_duration_seconds{method,route,status}`.
 */
export function httpMetricsHook(metrics: MetricsService): onRequestHookHandler {
  return (request, reply, done) => {
    const started = process.hrtime.bigint();
    const response = reply.raw;
    response.once('finish', () => {
      const seconds = Number(process.hrtime.bigint() - started) / 1e9;
      metrics.httpRequest(request.method, routeOf(request, response.statusCode), response.statusCode, seconds);
    });
    done();
  };
}
