import { Injectable } from '@nestjs/common';
import { DomainError } from '@app/common';
import { AccountsRepository } from '@app/accounts';
import {
  SIGN_IN_OUTCOMES,
  SIGN_IN_STATS_RANGES,
  type AdminAccount,
  type AdminDevice,
  type AdminLiveStats,
  type AdminPage,
  type AdminQrSession,
  type AdminQrSessionDetail,
  type AdminSignInStats,
  type SignInOutcome,
  type SignInStatsRange,
} from '@app/contract';
import { DevicesService } from '@app/devices';
import { decodeCursor, encodeCursor } from './admin-cursor';
import { AdminQrSessionsRepository } from './admin-qr-sessions.repository';
import { LiveStatsAggregator } from './live-stats.aggregator';
import type { ListQrSessionsQuery } from './dto/list-qr-sessions.query';

const DEFAULT_PAGE_SIZE = 50;

@Injectable()
export class AdminService {
  constructor(
    private readonly sessions: AdminQrSessionsRepository,
    private readonly accounts: AccountsRepository,
    private readonly devices: DevicesService,
    private readonly live: LiveStatsAggregator,
  ) {}

  async listSessions(query: ListQrSessionsQuery): Promise<AdminPage<AdminQrSession>> {
    if (query.from && query.to && Date.parse(query.from) > Date.parse(query.to)) {
      throw new DomainError('validation_failed', 'from must not be after to');
    }
    const { items, next } = await this.sessions.list(
      { status: query.status, accountId: query.accountId, from: query.from, to: query.to },
      query.limit ?? DEFAULT_PAGE_SIZE,
      query.cursor ? decodeCursor(query.cursor) : undefined,
    );
    return { items, nextCursor: next ? encodeCursor(next) : null };
  }

  async getSession(id: string): Promise<AdminQrSessionDetail> {
    const session = await this.sessions.find(id);
    if (!session) throw new DomainError('qr_not_found', 'No such QR session.');
    return { ...session, events: await this.sessions.events(id) };
  }

  async listDevices(accountId: string): Promise<{ items: AdminDevice[] }> {
    if (!(await this.accounts.findById(accountId))) throw new DomainError('not_found', 'No such account.');
    return { items: await this.devices.listWithTokens(accountId) };
  }

  async revokeDevice(accountId: string, deviceId: string): Promise<{ accountId: string; deviceId: string; revokedTokens: number }> {
    const { revokedTokens } = await this.devices.signOut(accountId, deviceId, 'admin');
    return { accountId, deviceId, revokedTokens };
  }

  /** The chart of the admin page: sessions that ended per hour, by outcome, over the last 24 hours or 7 days. */
  async signInStats(range: SignInStatsRange = '24h'): Promise<AdminSignInStats> {
    const hours = await this.sessions.signInsPerHour(SIGN_IN_STATS_RANGES[range]);
    const totals = Object.fromEntries(SIGN_IN_OUTCOMES.map((outcome) => [outcome, 0])) as Record<SignInOutcome, number>;
    for (const hour of hours) for (const outcome of SIGN_IN_OUTCOMES) totals[outcome] += hour[outcome];
    const last = hours.at(-1)!;
    return {
      range,
      bucketSeconds: 3600,
      from: hours[0].start.toISOString(),
      to: new Date(last.start.getTime() + 3_600_000).toISOString(),
      hours: hours.map((hour) => ({ ...hour, start: hour.start.toISOString() })),
      totals,
    };
  }

  /** The admin page's gauges: every process's figures, as /metrics has them. */
  liveStats(): Promise<AdminLiveStats> {
    return this.live.liveStats();
  }

  async searchAccounts(text: string | undefined): Promise<{ items: AdminAccount[] }> {
    const accounts = await this.accounts.search(text, 50);
    return {
      items: accounts.map((account) => ({
        id: account.id,
        username: account.username,
        displayName: account.displayName,
        role: account.role,
        createdAt: account.createdAt.toISOString(),
      })),
    };
  }
}
