import { addressKey } from './address-key';

describe('addressKey (the key of per-address limits)', () => {
  it('keys IPv4 on the whole address, also when Node shows it IPv4-mapped', () => {
    expect(addressKey('203.0.113.9')).toBe('203.0.113.9');
    expect(addressKey('::ffff:203.0.113.9')).toBe('203.0.113.9');
  });

  it('keys IPv6 on its /64, whichever way the address is written', () => {
    const key = '2001:db8:85a3:8d3::/64';
    expect(addressKey('2001:db8:85a3:8d3::1')).toBe(key);
    expect(addressKey('2001:0db8:85a3:08d3:1319:8a2e:0370:7344')).toBe(key);
    expect(addressKey('2001:DB8:85A3:8D3:ffff:ffff:ffff:ffff')).toBe(key);
    expect(addressKey('2001:db8:85a3:8d4::1')).not.toBe(key);
    expect(addressKey('::1')).toBe('0:0:0:0::/64');
    expect(addressKey('fe80::1%eth0')).toBe('fe80:0:0:0::/64');
    expect(addressKey('64:ff9b::192.0.2.33')).toBe('64:ff9b:0:0::/64');
  });

  it('keys anything else as unknown', () => {
    expect(addressKey(null)).toBe('unknown');
    expect(addressKey('not-an-ip')).toBe('unknown');
  });
});
