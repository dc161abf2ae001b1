import { Column, CreateDateColumn, Entity, Index, JoinColumn, ManyToOne, PrimaryColumn, type Relation } from 'typeorm';
import { DEVICE_TYPES, QR_STATUSES, type DeviceType, type QrStatus } from '@app/contract';
import type { Account } from '@app/accounts';
import type { Device } from '@app/devices';
import type { AccessToken } from '@app/tokens';

/**
 * One attempt of a desktop to sign in by QR code. The desktop that created it (`desktop_*`) holds the secret; the
 * phone that scanned it (`scanned_by_*`) holds the scan ticket. Both are stored only as SHA-256 hashes.
 * Lifecycle timestamps sit beside one status; terminal statuses never change again.
 */
@Entity({ name: 'qr_sessions', comment: 'QR sign-in attempts of desktops: pending, scanned, then confirmed, rejected, cancelled or expired.' })
@Index('ix_qr_sessions_open_by_expiry', ['expiresAt'], { where: "status IN ('pending', 'scanned')" })
@Index('ix_qr_sessions_created_at', ['createdAt'])
@Index('ix_qr_sessions_scanned_by_account', ['scannedByAccountId', 'createdAt'])
export class QrSession {
  @PrimaryColumn({
    type: 'varchar',
    length: 22,
    primaryKeyConstraintName: 'pk_qr_sessions',
    comment: 'Public id, the only thing inside the QR code (128 random bits).',
  })
  id: string;

  @Column({ name: 'secret_hash', type: 'char', length: 64, comment: 'SHA-256 of the secret that only the creating desktop holds.' })
  secretHash: string;

  @Column({
    type: 'enum',
    enum: QR_STATUSES,
    enumName: 'qr_session_status',
    default: 'pending',
    comment: 'pending, scanned, confirmed, rejected, cancelled or expired; the last four never change.',
  })
  status: QrStatus;

  @Column({ name: 'desktop_client_device_id', type: 'varchar', length: 128, comment: "The desktop's X-Device-Id at creation." })
  desktopClientDeviceId: string;

  @Column({ name: 'desktop_device_type', type: 'enum', enum: DEVICE_TYPES, enumName: 'device_type', comment: 'pc or web.' })
  desktopDeviceType: DeviceType;

  @Column({ name: 'desktop_device_name', type: 'varchar', length: 100, nullable: true, comment: 'Name the desktop gave itself.' })
  desktopDeviceName: string | null;

  @Column({ name: 'desktop_ip', type: 'inet', nullable: true, comment: 'IP address the desktop created the session from, shown to the phone.' })
  desktopIp: string | null;

  @Column({ name: 'desktop_user_agent', type: 'text', nullable: true, comment: 'User agent of the desktop, shown to the phone.' })
  desktopUserAgent: string | null;

  @CreateDateColumn({ name: 'created_at', type: 'timestamptz', comment: 'When the desktop asked for the session.' })
  createdAt: Date;

  @Column({ name: 'expires_at', type: 'timestamptz', comment: 'When it expires unless finished (QR_TTL_SECONDS after creation).' })
  expiresAt: Date;

  @Column({ name: 'scanned_at', type: 'timestamptz', nullable: true, comment: 'First scan.' })
  scannedAt: Date | null;

  @Column({
    name: 'scanned_by_account_id',
    type: 'uuid',
    nullable: true,
    comment: 'The account of the phone that scanned; the account that signs in.',
  })
  scannedByAccountId: string | null;

  @ManyToOne('Account', { onDelete: 'SET NULL' })
  @JoinColumn({ name: 'scanned_by_account_id', foreignKeyConstraintName: 'fk_qr_sessions_scanned_by_account' })
  scannedByAccount?: Relation<Account> | null;

  @Column({ name: 'scanned_by_device_id', type: 'uuid', nullable: true, comment: 'The phone (devices.id) that scanned.' })
  scannedByDeviceId: string | null;

  @ManyToOne('Device', { onDelete: 'SET NULL' })
  @JoinColumn({ name: 'scanned_by_device_id', foreignKeyConstraintName: 'fk_qr_sessions_scanned_by_device' })
  scannedByDevice?: Relation<Device> | null;

  @Column({
    name: 'scan_ticket_hash',
    type: 'char',
    length: 64,
    nullable: true,
    comment: 'SHA-256 of the current scan ticket of the scanning phone.',
  })
  scanTicketHash: string | null;

  @Column({ name: 'scan_ticket_expires_at', type: 'timestamptz', nullable: true, comment: 'When that ticket expires.' })
  scanTicketExpiresAt: Date | null;

  @Column({ name: 'scan_ticket_used_at', type: 'timestamptz', nullable: true, comment: 'When the ticket was spent by a confirm or reject.' })
  scanTicketUsedAt: Date | null;

  @Column({ name: 'confirmed_at', type: 'timestamptz', nullable: true, comment: 'When the phone confirmed.' })
  confirmedAt: Date | null;

  @Column({ name: 'rejected_at', type: 'timestamptz', nullable: true, comment: 'When the phone rejected.' })
  rejectedAt: Date | null;

  @Column({ name: 'cancelled_at', type: 'timestamptz', nullable: true, comment: 'When the desktop cancelled.' })
  cancelledAt: Date | null;

  @Column({ name: 'expired_at', type: 'timestamptz', nullable: true, comment: 'When the session was marked expired.' })
  expiredAt: Date | null;

  /** The desktop's own access token, minted at confirmation. */
  @Column({ name: 'login_token_id', type: 'uuid', nullable: true, comment: "The desktop's access token, minted at confirmation." })
  loginTokenId: string | null;

  @ManyToOne('AccessToken', { onDelete: 'SET NULL' })
  @JoinColumn({ name: 'login_token_id', foreignKeyConstraintName: 'fk_qr_sessions_login_token' })
  loginToken?: Relation<AccessToken> | null;
}
