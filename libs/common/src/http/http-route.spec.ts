import type { FastifyRequest } from 'fastify';
import { routeOf } from './http-route';

const request = (url: string | undefined) => ({ routeOptions: { url } }) as unknown as Pick<FastifyRequest, 'routeOptions'>;

describe('routeOf', () => {
  it("labels a request by its route's pattern, whatever it answered", () => {
    expect(routeOf(request('/api/qr-sessions/:id'), 200)).toBe('/api/qr-sessions/:id');
    expect(routeOf(request('/api/qr-sessions/:id'), 404)).toBe('/api/qr-sessions/:id');
  });

  it('labels the pages and their assets (wildcard routes) as one series, and what they did not find as unmatched', () => {
    expect(routeOf(request('/*'), 200)).toBe('(static)');
    expect(routeOf(request('/assets/*'), 304)).toBe('(static)');
    expect(routeOf(request('/*'), 404)).toBe('(unmatched)');
  });

  it('labels a request no route matched, or refused before routing, as unmatched', () => {
    expect(routeOf(request(undefined), 404)).toBe('(unmatched)');
    expect(routeOf(request(undefined), 400)).toBe('(unmatched)');
  });
});
