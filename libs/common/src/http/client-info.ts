import { isIP } from 'node:net';
import type { FastifyRequest } from 'fastify';

/** Where a request came from, as recorded in QR sessions and audit rows. */
export interface ClientInfo {
  ip: string | null;
  userAgent: string | null;
}

const MAX_USER_AGENT = 512;

export function clientInfoOf(request: Pick<FastifyRequest, 'ip' | 'headers'> & { socket?: { remoteAddress?: string } }): ClientInfo {
  // Behind proxies (TRUST_PROXY), request.ip comes from X-Forwarded-For, as a proxy wrote it: keep it only if it is an address.
  const candidates = [request.ip, request.socket?.remoteAddress].filter((value): value is string => typeof value === 'string');
  const ip = candidates.map(normaliseIp).find((value) => isIP(value) !== 0) ?? null;
  const userAgent = request.headers['user-agent'];
  return {
    ip,
    userAgent: typeof userAgent === 'string' && userAgent.length > 0 ? userAgent.slice(0, MAX_USER_AGENT) : null,
  };
}

/**
 * The client address of a Socket.IO handshake, by the rule Fastify (as Express) applies to HTTP requests with a hop count as its
 * `trust proxy` (contract §6 TRUST_PROXY): with `hops` proxies in front, the address `hops` entries from the right of
 * the chain "X-Forwarded-For entries, then the TCP peer" (the peer being the nearest proxy). Entries further left were
 * written by the client itself and are never taken. With fewer entries than hops, the leftmost one.
 */
export function handshakeIp(handshake: { address: string; headers: Record<string, string | string[] | undefined> }, hops: number): string {
  const peer = normaliseIp(handshake.address);
  if (hops <= 0) return peer;
  const header = handshake.headers['x-forwarded-for'];
  const forwarded = (Array.isArray(header) ? header.join(',') : (header ?? ''))
    .split(',')
    .map((entry) => entry.trim())
    .filter((entry) => entry !== '');
  const chain = [...forwarded, peer];
  const candidate = normaliseIp(chain[Math.max(0, chain.length - 1 - hops)]);
  return isIP(candidate) !== 0 ? candidate : peer;
}

/** `::ffff:127.0.0.1` is how Node shows IPv4 peers on a dual-stack socket; people expect `127.0.0.1`. */
export function normaliseIp(ip: string): string {
  return ip.startsWith('::ffff:') ? ip.slice('::ffff:'.length) : ip;
}
