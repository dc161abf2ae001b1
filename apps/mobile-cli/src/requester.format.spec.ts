import type { ScanCodeResult, ScanResult } from '@app/sdk';
import { ageOf, formatScan } from './requester.format';

describe('requester format', () => {
  const now = Date.parse('2026-01-01T10:00:00Z');

  it.each([
    ['2026-01-01T10:00:00.400Z', 'just now'],
    ['2026-01-01T09:59:48Z', '12 s ago'],
    ['2026-01-01T09:57:00Z', '3 min ago'],
    ['2026-01-01T07:59:00Z', '2 h ago'],
    ['not a time', 'unknown'],
  ])('says %s was %s', (time, age) => {
    expect(ageOf(time, now)).toBe(age);
  });

  it('shows the device, IP, user agent and age of the desktop that asks', () => {
    const scan: ScanResult = {
      id: 'Ab3_-xYz0123456789AbCd',
      status: 'scanned',
      scanTicket: 'never-printed-ticket',
      ticketExpiresAt: '2026-01-01T10:01:00.000Z',
      requester: { device: { type: 'web', name: 'Firefox' }, ip: '203.0.113.7', userAgent: 'Mozilla/5.0 (X11)', createdAt: '2026-01-01T09:59:30Z' },
    };
    const text = formatScan(scan, now);
    expect(text).toContain('device:      web "Firefox"');
    expect(text).toContain('IP address:  203.0.113.7');
    expect(text).toContain('user agent:  Mozilla/5.0 (X11)');
    expect(text).toContain('requested:   30 s ago');
    expect(text).not.toContain('never-printed-ticket');
    const anonymous = formatScan({ ...scan, requester: { ...scan.requester, device: { type: 'pc', name: null }, ip: null, userAgent: null } }, now);
    expect(anonymous).toContain('device:      pc (no name)');
    expect(anonymous).toContain('IP address:  unknown');
  });

  it('names the OAuth client of a CLI or TV that signs in with a user code', () => {
    const scan: ScanCodeResult = {
      id: 'Ab3_-xYz0123456789AbCd',
      status: 'scanned',
      scanTicket: 'ticket',
      ticketExpiresAt: '2026-01-01T10:01:00.000Z',
      requester: {
        device: { type: 'pc', name: 'build box' },
        ip: '203.0.113.7',
        userAgent: 'curl/8.5',
        createdAt: '2026-01-01T09:59:30Z',
        clientId: 'gh\u001b[2Jcli',
        userCode: 'WDJB-MJHT',
      },
    };
    const text = formatScan(scan, now);
    expect(text).toContain('device:      pc "build box"');
    expect(text).toContain('client id:   gh\\x1b[2Jcli');
    expect(text).toContain('code:        WDJB-MJHT (the device must show the same code)');
    expect(text).toContain('Only confirm if the device in front of you shows this code');
    expect(formatScan({ ...scan, requester: { ...scan.requester, clientId: 'my-cli' } }, now)).toContain('client id:   my-cli');
  });

  it('escapes control and format characters a phishing desktop puts in its name or user agent', () => {
    const scan: ScanResult = {
      id: 'Ab3_-xYz0123456789AbCd',
      status: 'scanned',
      scanTicket: 'ticket',
      ticketExpiresAt: '2026-01-01T10:01:00.000Z',
      requester: {
        // A name that ends its line and prints a reassuring fake one; a user agent that erases and rewrites a line,
        // uses a C1 CSI, DEL, and turns text around with a bidi override.
        device: { type: 'web', name: 'Evil\r\n  IP address:  192.168.1.10 (your network)' },
        ip: '203.0.113.7',
        userAgent: 'Mozilla\u001b[2K\u001b[1A\u009b2K\u007f\u202eCP eciffO\u202c\u2066x\u2069',
        createdAt: '2026-01-01T09:59:30Z',
      },
    };
    const text = formatScan(scan, now);
    const lines = text.split('\n');
    const plain = formatScan({ ...scan, requester: { ...scan.requester, device: { type: 'web', name: 'x' }, userAgent: 'y' } }, now);
    // Exactly the lines of a plain request: nothing injected, nothing erased.
    expect(lines).toHaveLength(plain.split('\n').length);
    expect(lines.filter((line) => line.startsWith('  IP address:'))).toEqual(['  IP address:  203.0.113.7']);
    expect(text).toContain('device:      web "Evil\\x0d\\x0a  IP address:  192.168.1.10 (your network)"');
    expect(text).toContain('user agent:  Mozilla\\x1b[2K\\x1b[1A\\x9b2K\\x7f\\u{202e}CP eciffO\\u{202c}\\u{2066}x\\u{2069}');
    // No control or format character is left but the newlines between the lines.
    expect(lines.join('')).not.toMatch(/[\p{Cc}\p{Cf}\p{Zl}\p{Zp}]/u);
  });
});
