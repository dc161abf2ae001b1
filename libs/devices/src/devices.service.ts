import { Injectable } from '@nestjs/common';
import { DataSource } from 'typeorm';
import { DomainError } from '@app/common';
import type { DeviceType } from '@app/contract';
import { TokensRepository } from '@app/tokens';
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

  /** Signs a device of the account out: every token it holds answers `token_revoked` from the next request on. */
  async signOut(accountId: string, clientDeviceId: string): Promise<Device> {
    const device = await this.devices.findByClientId(accountId, clientDeviceId);
    if (!device) throw new DomainError('not_found', 'This account has no such device.');
    await this.dataSource.transaction(async (manager) => {
      await this.devices.markSignedOut(manager, device.id);
      await this.tokens.revokeAllOfDevice(manager, device.id, 'device_signed_out');
    });
    return device;
  }
}
