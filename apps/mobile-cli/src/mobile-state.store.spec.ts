import { mkdtempSync, readFileSync, rmSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { MAX_PENDING_SCANS, MobileStateStore, type MobileState } from './mobile-state.store';

describe('MobileStateStore', () => {
  let dir: string;
  beforeEach(() => (dir = mkdtempSync(join(tmpdir(), 'qr-mobile-state-'))));
  afterEach(() => rmSync(dir, { recursive: true, force: true }));

  it("keeps a scan ticket that this machine's clock thinks expired: only the service decides", () => {
    const store = new MobileStateStore(join(dir, 'state.json'));
    // A phone clock ahead of the service's: the ticket the service just gave looks expired here.
    const state: MobileState = {
      version: 1,
      pendingScans: { 'session-a': { scanTicket: 'ticket-a', ticketExpiresAt: new Date(Date.now() - 3_600_000).toISOString() } },
      lastScannedId: 'session-a',
    };
    store.save(state);
    expect(store.load().pendingScans).toEqual(state.pendingScans);
    expect(store.load().lastScannedId).toBe('session-a');
  });

  it(`keeps only the newest ${MAX_PENDING_SCANS} open tickets`, () => {
    const store = new MobileStateStore(join(dir, 'state.json'));
    const pendingScans = Object.fromEntries(
      Array.from({ length: MAX_PENDING_SCANS + 5 }, (_, i) => [`session-${i}`, { scanTicket: `t${i}`, ticketExpiresAt: '2000-01-01T00:00:00Z' }]),
    );
    store.save({ version: 1, pendingScans });
    const kept = Object.keys(store.load().pendingScans);
    expect(kept).toHaveLength(MAX_PENDING_SCANS);
    expect(kept[0]).toBe('session-5');
    expect(kept.at(-1)).toBe(`session-${MAX_PENDING_SCANS + 4}`);
    expect(JSON.parse(readFileSync(store.path, 'utf8')).version).toBe(1);
  });
});
