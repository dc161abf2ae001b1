import { Column, CreateDateColumn, Entity, Index, JoinColumn, ManyToOne, PrimaryColumn, type Relation } from 'typeorm';
import { DEVICE_TYPES, type DeviceType } from '@app/contract';
import type { Account } from '@app/accounts';

/**
 * One install of a client (a phone app, a desktop browser) signed in to one account. `client_device_id` is the id the
 * client chose and sends as `X-Device-Id`; the row's own `id` is internal and never leaves the server.
 */
@Entity({ name: 'devices', comment: 'One install of a client (phone app, desktop browser) signed in to one account.' })
@Index('uq_devices_account_client_device', ['accountId', 'clientDeviceId'], { unique: true })
export class Device {
  @PrimaryColumn({ type: 'uuid', primaryKeyConstraintName: 'pk_devices', comment: 'Internal row id; never leaves the server.' })
  id: string;

  @Column({ name: 'account_id', type: 'uuid', comment: 'The account this device is signed in to.' })
  accountId: string;

  @ManyToOne('Account', { onDelete: 'CASCADE' })
  @JoinColumn({ name: 'account_id', foreignKeyConstraintName: 'fk_devices_account' })
  account?: Relation<Account>;

  @Column({
    name: 'client_device_id',
    type: 'varchar',
    length: 128,
    comment: 'The id the client chose and sends as X-Device-Id (deviceId in the API).',
  })
  clientDeviceId: string;

  @Column({ type: 'enum', enum: DEVICE_TYPES, enumName: 'device_type', comment: 'ios or android (phones), pc or web (desktops).' })
  type: DeviceType;

  @Column({ type: 'varchar', length: 100, nullable: true, comment: 'Name the client gave itself, e.g. "iPhone 15".' })
  name: string | null;

  @CreateDateColumn({ name: 'created_at', type: 'timestamptz', comment: 'First sign-in of this device to this account.' })
  createdAt: Date;

  @Column({ name: 'last_seen_at', type: 'timestamptz', comment: 'Last authenticated request (updated at most once a minute).' })
  lastSeenAt: Date;

  /** Set when the account signed this device out; a later sign-in on it clears it. */
  @Column({
    name: 'signed_out_at',
    type: 'timestamptz',
    nullable: true,
    comment: 'When the device was signed out (its tokens revoked); cleared by a new sign-in.',
  })
  signedOutAt: Date | null;
}
