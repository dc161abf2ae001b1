import type { Request } from 'express';

/**
 * The route pattern of a request (`/api/qr-sessions/:id`), never its concrete path: ids in labels and log fields would
 * make every request its own series. Requests no route matched are `(unmatched)` when answered 404, else `(static)`
 * (the pages and their assets).
 */
export function routeOf(request: Request, status: number): string {
  const route = (request as Request & { route?: { path?: unknown } }).route;
  // Nest answers unknown /api paths from a catch-all route (`/api*path`): that is no route either.
  if (route && typeof route.path === 'string' && !(status === 404 && route.path.includes('*'))) return `${request.baseUrl ?? ''}${route.path}`;
  return status === 404 ? '(unmatched)' : '(static)';
}
