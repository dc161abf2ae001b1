import type { ScanResult } from '@app/sdk';
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
});
