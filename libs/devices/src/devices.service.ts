import { Injectable } from '@nestjs/common';
import { DataSource } from 'typeorm';
import { DomainError } from '@app/common';
import type { AdminDevice, DeviceType } from '@app/contract';
import { TokenRevocations, TokensRepository, type TokenRevokeReason } from '@app/tokens';
import type { Device } from './device.entity';
import { DevicesRepository } from './devices.repository';

export interface DeviceListItem {
  id: string;
  type: DeviceType;
  name: string | null;
  createdAt: string;
  lastSeenAt: string;
  current: boolean;
}

@Injectable()
export class DevicesService {
  constructor(
    private readonly dataSource: DataSource,
    private readonly devices: DevicesRepository,
    private readonly tokens: TokensRepository,
    private readonly revocations: TokenRevocations,
  ) {}

  async listSignedIn(accountId: string, currentDeviceRowId: string): Promise<DeviceListItem[]> {
    const rows = await this.devices.listSignedIn(accountId);
    return rows.map((device) => ({
      id: device.clientDeviceId,
      type: device.type,
      name: device.name,
      createdAt: device.createdAt.toISOString(),
      lastSeenAt: device.lastSeenAt.toISOString(),
      current: device.id === currentDeviceRowId,
    }));
  }

  /** Every device of the account with every token it was issued, for the admin. */
  async listWithTokens(accountId: string): Promise<AdminDevice[]> {
    const devices = await this.devices.listAll(accountId);
    const tokens = await this.tokens.listOfAccount(accountId);
    const now = Date.now();
    return devices.map((device) => ({
      accountId,
      id: device.clientDeviceId,
      type: device.type,
      name: device.name,
      createdAt: device.createdAt.toISOString(),
      lastSeenAt: device.lastSeenAt.toISOString(),
      signedOutAt: device.signedOutAt?.toISOString() ?? null,
      tokens: tokens
        .filter((token) => token.deviceId === device.id)
        .map((token) => ({
          grant: token.grant,
          issuedAt: token.issuedAt.toISOString(),
          expiresAt: token.expiresAt.toISOString(),
          revokedAt: token.revokedAt?.toISOString() ?? null,
          revokeReason: token.revokeReason,
          state: token.revokedAt ? 'revoked' : token.expiresAt.getTime() <= now ? 'expired' : 'active',
        })),
    }));
  }

  /** Signs a device of the account out: every token it holds answers `token_revoked` from the next request on. */
  async signOut(
    accountId: string,
    clientDeviceId: string,
    reason: TokenRevokeReason = 'device_signed_out',
  ): Promise<{ device: Device; revokedTokens: number }> {
    const device = await this.devices.findByClientId(accountId, clientDeviceId);
    if (!device) throw new DomainError('not_found', 'This account has no such device.');
    const revokedTokens = await this.dataSource.transaction(async (manager) => {
      await this.devices.markSignedOut(manager, device.id);
      return this.revocations.revokeAllOfDevice(manager, device.id, reason);
    });
    return { device, revokedTokens };
  }
}
