import type { FastifyRequest } from 'fastify';

/**
 * The route pattern of a request (`/api/qr-sessions/:id`), never its concrete path: ids in labels and log fields would
 * make every request its own series. Requests no route matched are `(unmatched)` when answered 404, else `(static)`
 * (the pages and their assets, served by wildcard routes).
 */
export function routeOf(request: Pick<FastifyRequest, 'routeOptions'>, status: number): string {
  const pattern = request.routeOptions.url;
  if (pattern !== undefined && !pattern.includes('*')) return pattern;
  return status === 404 ? '(unmatched)' : '(static)';
}
