import { isIP } from 'node:net';
import type { Request } from 'express';

/** Where a request came from, as recorded in QR sessions and audit rows. */
export interface ClientInfo {
  ip: string | null;
  userAgent: string | null;
}

const MAX_USER_AGENT = 512;

export function clientInfoOf(request: Pick<Request, 'ip' | 'headers'> & { socket?: { remoteAddress?: string } }): ClientInfo {
  // With TRUST_PROXY on, request.ip comes from X-Forwarded-For, which anyone can write: keep it only if it is an address.
  const candidates = [request.ip, request.socket?.remoteAddress].filter((value): value is string => typeof value === 'string');
  const ip = candidates.map(normaliseIp).find((value) => isIP(value) !== 0) ?? null;
  const userAgent = request.headers['user-agent'];
  return {
    ip,
    userAgent: typeof userAgent === 'string' && userAgent.length > 0 ? userAgent.slice(0, MAX_USER_AGENT) : null,
  };
}

/**
 * The client address of a Socket.IO handshake, as Express's `trust proxy` reads it for HTTP requests: behind a proxy
 * (TRUST_PROXY=on) the leftmost address of X-Forwarded-For, if it is one; otherwise the peer of the connection.
 */
export function handshakeIp(handshake: { address: string; headers: Record<string, string | string[] | undefined> }, trustProxy: boolean): string {
  const peer = normaliseIp(handshake.address);
  if (!trustProxy) return peer;
  const forwarded = handshake.headers['x-forwarded-for'];
  const first = (Array.isArray(forwarded) ? forwarded[0] : forwarded)?.split(',')[0]?.trim();
  return first && isIP(normaliseIp(first)) !== 0 ? normaliseIp(first) : peer;
}

/** `::ffff:127.0.0.1` is how Node shows IPv4 peers on a dual-stack socket; people expect `127.0.0.1`. */
export function normaliseIp(ip: string): string {
  return ip.startsWith('::ffff:') ? ip.slice('::ffff:'.length) : ip;
}
