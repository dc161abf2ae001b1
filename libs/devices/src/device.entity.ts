import { Column, CreateDateColumn, Entity, Index, JoinColumn, ManyToOne, PrimaryColumn, type Relation } from 'typeorm';
import { DEVICE_TYPES, type DeviceType } from '@app/contract';
import type { Account } from '@app/accounts';

/**
 * One install of a client (a phone app, a desktop browser) signed in to one account. `client_device_id` is the id the
 * client chose and sends as `X-Device-Id`; the row's own `id` is internal and never leaves the server.
 */
@Entity({ name: 'devices' })
@Index('uq_devices_account_client_device', ['accountId', 'clientDeviceId'], { unique: true })
export class Device {
  @PrimaryColumn({ type: 'uuid', primaryKeyConstraintName: 'pk_devices' })
  id: string;

  @Column({ name: 'account_id', type: 'uuid' })
  accountId: string;

  @ManyToOne('Account', { onDelete: 'CASCADE' })
  @JoinColumn({ name: 'account_id', foreignKeyConstraintName: 'fk_devices_account' })
  account?: Relation<Account>;

  @Column({ name: 'client_device_id', type: 'varchar', length: 128 })
  clientDeviceId: string;

  @Column({ type: 'enum', enum: DEVICE_TYPES, enumName: 'device_type' })
  type: DeviceType;

  @Column({ type: 'varchar', length: 100, nullable: true })
  name: string | null;

  @CreateDateColumn({ name: 'created_at', type: 'timestamptz' })
  createdAt: Date;

  @Column({ name: 'last_seen_at', type: 'timestamptz' })
  lastSeenAt: Date;

  /** Set when the account signed this device out; a later sign-in on it clears it. */
  @Column({ name: 'signed_out_at', type: 'timestamptz', nullable: true })
  signedOutAt: Date | null;
}
