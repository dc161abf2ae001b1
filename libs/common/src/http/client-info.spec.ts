import { clientInfoOf, handshakeIp } from './client-info';

describe('client addresses', () => {
  it('keeps only real IP addresses from a request, in their usual form', () => {
    expect(clientInfoOf({ ip: '::ffff:203.0.113.9', headers: { 'user-agent': 'UA' } })).toEqual({ ip: '203.0.113.9', userAgent: 'UA' });
    expect(clientInfoOf({ ip: 'not-an-ip', headers: {}, socket: { remoteAddress: '::1' } })).toEqual({ ip: '::1', userAgent: null });
  });

  it("reads a handshake's address that many hops from the right of X-Forwarded-For, never a hop the client wrote", () => {
    const handshake = (forwarded?: string) => ({ address: '::ffff:10.1.2.3', headers: { 'x-forwarded-for': forwarded } });
    // The client wrote "6.6.6.6"; one proxy (10.1.2.3) appended the client's real address 198.51.100.4.
    expect(handshakeIp(handshake('6.6.6.6, 198.51.100.4'), 0)).toBe('10.1.2.3');
    expect(handshakeIp(handshake('6.6.6.6, 198.51.100.4'), 1)).toBe('198.51.100.4');
    // Two proxies: the outer one appended the client's address, the inner one the outer proxy's.
    expect(handshakeIp(handshake('6.6.6.6, 198.51.100.4, 10.0.0.1'), 2)).toBe('198.51.100.4');
    // Fewer entries than hops: the leftmost there is, as Express does.
    expect(handshakeIp(handshake('198.51.100.4'), 3)).toBe('198.51.100.4');
    expect(handshakeIp(handshake('forged-value'), 1)).toBe('10.1.2.3');
    expect(handshakeIp(handshake(), 1)).toBe('10.1.2.3');
  });
});
