import type { NextFunction, Request, Response } from 'express';
import { routeOf } from '@app/common';
import type { MetricsService } from './metrics.service';

/**
 * An Express middleware, installed before everything else so that every request (API, pages, refusals by the body
 * parser) is timed into `http_request_duration_seconds{method,route,status}`.
 */
export function httpMetricsMiddleware(metrics: MetricsService) {
  return (request: Request, response: Response, next: NextFunction): void => {
    const started = process.hrtime.bigint();
    response.once('finish', () => {
      const seconds = Number(process.hrtime.bigint() - started) / 1e9;
      metrics.httpRequest(request.method, routeOf(request, response.statusCode), response.statusCode, seconds);
    });
    next();
  };
}
