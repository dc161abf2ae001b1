import { Injectable } from '@nestjs/common';
import { randomUUID } from 'node:crypto';
import { DataSource, EntityManager } from 'typeorm';
import { returningRows } from '@app/common';
import type { DeviceType } from '@app/contract';
import { Device } from './device.entity';

@Injectable()
export class DevicesRepository {
  constructor(private readonly dataSource: DataSource) {}

  /**
   * The device row for a sign-in on `clientDeviceId`: created on first sign-in, refreshed (name, signed back in) on
   * later ones. One statement, so that two sign-ins of the same device at once cannot create two rows.
   * Answers null when the account already has that device id with another type: a client may not take over another
   * device's row (say, a desktop claiming the id of the account's phone).
   */
  async upsertForSignIn(
    manager: EntityManager,
    device: { accountId: string; clientDeviceId: string; type: DeviceType; name: string | null },
  ): Promise<Device | null> {
    const rows = await returningRows<Device>(
      manager,
      `INSERT INTO devices (id, account_id, client_device_id, type, name, created_at, last_seen_at, signed_out_at)
       VALUES ($1, $2, $3, $4, $5, now(), now(), NULL)
       ON CONFLICT (account_id, client_device_id) DO UPDATE
          SET name = COALESCE(EXCLUDED.name, devices.name),
              last_seen_at = now(),
              signed_out_at = NULL
        WHERE devices.type = EXCLUDED.type
       RETURNING id, account_id AS "accountId", client_device_id AS "clientDeviceId", type, name,
                 created_at AS "createdAt", last_seen_at AS "lastSeenAt", signed_out_at AS "signedOutAt"`,
      [randomUUID(), device.accountId, device.clientDeviceId, device.type, device.name],
    );
    return rows[0] ?? null;
  }

  findByClientId(accountId: string, clientDeviceId: string): Promise<Device | null> {
    return this.dataSource.getRepository(Device).findOneBy({ accountId, clientDeviceId });
  }

  findById(id: string): Promise<Device | null> {
    return this.dataSource.getRepository(Device).findOneBy({ id });
  }

  /** Devices of the account that hold at least one token still standing, most recently seen first. */
  listSignedIn(accountId: string): Promise<Device[]> {
    return this.dataSource
      .getRepository(Device)
      .createQueryBuilder('device')
      .where('device.account_id = :accountId', { accountId })
      .andWhere('device.signed_out_at IS NULL')
      .andWhere(
        `EXISTS (SELECT 1 FROM access_tokens token
                  WHERE token.device_id = device.id AND token.revoked_at IS NULL AND token.expires_at > now())`,
      )
      .orderBy('device.last_seen_at', 'DESC')
      .getMany();
  }

  listAll(accountId: string): Promise<Device[]> {
    return this.dataSource.getRepository(Device).find({ where: { accountId }, order: { lastSeenAt: 'DESC' } });
  }

  async markSignedOut(manager: EntityManager, deviceId: string): Promise<void> {
    await manager.update(Device, { id: deviceId }, { signedOutAt: () => 'now()' });
  }
}
