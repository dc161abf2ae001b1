import type { FastifyRequest } from 'fastify';

/**
 * The route pattern of a request (`/api/qr-sessions/:id`), never its concrete path: ids in labels and log fields would
 * make every request its own series. Requests no route matched (or refused before routing) are `(unmatched)`; the
 * pages and their assets, served by wildcard routes, are `(static)`, or `(unmatched)` when no file answered.
 */
export function routeOf(request: Pick<FastifyRequest, 'routeOptions'>, status: number): string {
  const pattern = request.routeOptions.url;
  if (pattern === undefined) return '(unmatched)';
  if (!pattern.includes('*')) return pattern;
  return status === 404 ? '(unmatched)' : '(static)';
}
