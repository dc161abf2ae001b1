import { clientInfoOf, handshakeIp } from './client-info';

describe('client addresses', () => {
  it('keeps only real IP addresses from a request, in their usual form', () => {
    expect(clientInfoOf({ ip: '::ffff:203.0.113.9', headers: { 'user-agent': 'UA' } })).toEqual({ ip: '203.0.113.9', userAgent: 'UA' });
    expect(clientInfoOf({ ip: 'not-an-ip', headers: {}, socket: { remoteAddress: '::1' } })).toEqual({ ip: '::1', userAgent: null });
  });

  it('reads a handshake\'s forwarded address only behind a trusted proxy, and only if it is an address', () => {
    const handshake = (forwarded?: string) => ({ address: '::ffff:10.1.2.3', headers: { 'x-forwarded-for': forwarded } });
    expect(handshakeIp(handshake('198.51.100.4, 10.0.0.1'), false)).toBe('10.1.2.3');
    expect(handshakeIp(handshake('198.51.100.4, 10.0.0.1'), true)).toBe('198.51.100.4');
    expect(handshakeIp(handshake('forged-value'), true)).toBe('10.1.2.3');
    expect(handshakeIp(handshake(), true)).toBe('10.1.2.3');
  });
});
