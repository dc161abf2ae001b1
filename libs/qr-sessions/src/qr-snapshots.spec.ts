import { JwtService } from '@nestjs/jwt';
import { AppConfigService, loadConfig } from '@app/config';
import { TokensService, type TokensRepository } from '@app/tokens';
import type { QrSessionRow, QrSessionView } from './qr-session.records';
import type { QrSessionsRepository } from './qr-sessions.repository';
import { QrSnapshots } from './qr-snapshots';

const SECRET = 'unit-test-secret-unit-test-secret-0123456789';

function viewOf(overrides: Partial<QrSessionRow>, login: QrSessionView['login']): QrSessionView {
  const session = {
    id: 'AAAAAAAAAAAAAAAAAAAAAA',
    status: 'confirmed',
    createdAt: new Date('2026-01-01T10:00:00Z'),
    expiresAt: new Date('2026-01-01T10:02:00Z'),
    scannedAt: new Date('2026-01-01T10:00:10Z'),
    scannedByDisplayName: 'Alice',
    scannedByUsername: 'alice',
    confirmedAt: new Date('2026-01-01T10:00:20Z'),
    ...overrides,
  } as QrSessionRow;
  return { session, login };
}

describe('QrSnapshots', () => {
  const config = new AppConfigService({ ...loadConfig({}), databaseUrl: 'postgres://unused', jwtSecret: SECRET });
  const jwt = new JwtService({ secret: SECRET });
  const tokens = new TokensService(jwt, {} as TokensRepository, config);
  const snapshots = new QrSnapshots({} as QrSessionsRepository, tokens);
  const login: NonNullable<QrSessionView['login']> = {
    tokenId: '6f1c3a52-8a5e-4a43-b7e8-0d6c3f1b2a90',
    issuedAt: new Date('2026-01-01T10:00:20Z'),
    expiresAt: new Date('2026-01-31T10:00:20Z'),
    revokedAt: null,
    account: { id: 'acc-1', username: 'alice', displayName: 'Alice' },
    device: { rowId: 'row-1', id: 'desk-0001', type: 'web', name: 'Firefox' },
  };

  it('shows login until expiresAt when that is later than 60 s after confirmation', () => {
    const view = viewOf({}, login);
    expect(snapshots.ofView(view, Date.parse('2026-01-01T10:01:59Z')).login).toBeDefined();
    expect(snapshots.ofView(view, Date.parse('2026-01-01T10:02:00Z')).login).toBeUndefined();
  });

  it('shows login until 60 s after confirmation when that is later than expiresAt', () => {
    const view = viewOf({ confirmedAt: new Date('2026-01-01T10:01:50Z') }, login);
    expect(snapshots.ofView(view, Date.parse('2026-01-01T10:02:49Z')).login).toBeDefined();
    expect(snapshots.ofView(view, Date.parse('2026-01-01T10:02:50Z')).login).toBeUndefined();
  });

  it('re-derives the same token string every time, bound to the desktop device', () => {
    const now = Date.parse('2026-01-01T10:00:30Z');
    const first = snapshots.ofView(viewOf({}, login), now).login!;
    const second = snapshots.ofView(viewOf({}, login), now).login!;
    expect(first.accessToken).toBe(second.accessToken);
    expect(jwt.verify(first.accessToken, { ignoreExpiration: true })).toMatchObject({
      sub: 'acc-1',
      jti: login.tokenId,
      did: 'desk-0001',
      dty: 'web',
    });
    expect(first).toMatchObject({
      tokenType: 'Bearer',
      expiresAt: '2026-01-31T10:00:20.000Z',
      device: { id: 'desk-0001', type: 'web', name: 'Firefox' },
    });
  });

  it('never shows login for a revoked token or a session that is not confirmed', () => {
    const now = Date.parse('2026-01-01T10:00:30Z');
    expect(snapshots.ofView(viewOf({}, { ...login, revokedAt: new Date() }), now).login).toBeUndefined();
    expect(snapshots.ofView(viewOf({ status: 'rejected' }, login), now).login).toBeUndefined();
  });

  it('shows scannedAt and scannedBy once scanned, and nothing of the scanner before', () => {
    expect(snapshots.of(viewOf({ status: 'scanned' }, null).session)).toEqual({
      id: 'AAAAAAAAAAAAAAAAAAAAAA',
      status: 'scanned',
      expiresAt: '2026-01-01T10:02:00.000Z',
      scannedAt: '2026-01-01T10:00:10.000Z',
      scannedBy: { displayName: 'Alice', username: 'alice' },
    });
    expect(snapshots.of(viewOf({ status: 'pending', scannedAt: null, scannedByDisplayName: null, scannedByUsername: null }, null).session)).toEqual({
      id: 'AAAAAAAAAAAAAAAAAAAAAA',
      status: 'pending',
      expiresAt: '2026-01-01T10:02:00.000Z',
    });
  });
});
