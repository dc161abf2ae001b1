import { Column, CreateDateColumn, Entity, Index, JoinColumn, ManyToOne, PrimaryColumn, type Relation } from 'typeorm';
import { DEVICE_TYPES, QR_STATUSES, type DeviceType, type QrStatus } from '@app/contract';
import type { Account } from '@app/accounts';
import type { Device } from '@app/devices';
import type { AccessToken } from '@app/tokens';

/** Statuses from which a session may still change; the rest are terminal. */
export const OPEN_STATUSES: readonly QrStatus[] = ['pending', 'scanned'];

/**
 * One attempt of a desktop to sign in by QR code. The desktop that created it (`desktop_*`) holds the secret; the
 * phone that scanned it (`scanned_by_*`) holds the scan ticket. Both are stored only as SHA-256 hashes.
 * Lifecycle timestamps sit beside one status; terminal statuses never change again.
 */
@Entity({ name: 'qr_sessions' })
@Index('ix_qr_sessions_open_by_expiry', ['expiresAt'], { where: "status IN ('pending', 'scanned')" })
@Index('ix_qr_sessions_created_at', ['createdAt'])
@Index('ix_qr_sessions_scanned_by_account', ['scannedByAccountId', 'createdAt'])
export class QrSession {
  @PrimaryColumn({ type: 'varchar', length: 22, primaryKeyConstraintName: 'pk_qr_sessions' })
  id: string;

  @Column({ name: 'secret_hash', type: 'char', length: 64 })
  secretHash: string;

  @Column({ type: 'enum', enum: QR_STATUSES, enumName: 'qr_session_status', default: 'pending' })
  status: QrStatus;

  @Column({ name: 'desktop_client_device_id', type: 'varchar', length: 128 })
  desktopClientDeviceId: string;

  @Column({ name: 'desktop_device_type', type: 'enum', enum: DEVICE_TYPES, enumName: 'device_type' })
  desktopDeviceType: DeviceType;

  @Column({ name: 'desktop_device_name', type: 'varchar', length: 100, nullable: true })
  desktopDeviceName: string | null;

  @Column({ name: 'desktop_ip', type: 'inet', nullable: true })
  desktopIp: string | null;

  @Column({ name: 'desktop_user_agent', type: 'text', nullable: true })
  desktopUserAgent: string | null;

  @CreateDateColumn({ name: 'created_at', type: 'timestamptz' })
  createdAt: Date;

  @Column({ name: 'expires_at', type: 'timestamptz' })
  expiresAt: Date;

  @Column({ name: 'scanned_at', type: 'timestamptz', nullable: true })
  scannedAt: Date | null;

  @Column({ name: 'scanned_by_account_id', type: 'uuid', nullable: true })
  scannedByAccountId: string | null;

  @ManyToOne('Account', { onDelete: 'SET NULL' })
  @JoinColumn({ name: 'scanned_by_account_id', foreignKeyConstraintName: 'fk_qr_sessions_scanned_by_account' })
  scannedByAccount?: Relation<Account> | null;

  @Column({ name: 'scanned_by_device_id', type: 'uuid', nullable: true })
  scannedByDeviceId: string | null;

  @ManyToOne('Device', { onDelete: 'SET NULL' })
  @JoinColumn({ name: 'scanned_by_device_id', foreignKeyConstraintName: 'fk_qr_sessions_scanned_by_device' })
  scannedByDevice?: Relation<Device> | null;

  @Column({ name: 'scan_ticket_hash', type: 'char', length: 64, nullable: true })
  scanTicketHash: string | null;

  @Column({ name: 'scan_ticket_expires_at', type: 'timestamptz', nullable: true })
  scanTicketExpiresAt: Date | null;

  @Column({ name: 'scan_ticket_used_at', type: 'timestamptz', nullable: true })
  scanTicketUsedAt: Date | null;

  @Column({ name: 'confirmed_at', type: 'timestamptz', nullable: true })
  confirmedAt: Date | null;

  @Column({ name: 'rejected_at', type: 'timestamptz', nullable: true })
  rejectedAt: Date | null;

  @Column({ name: 'cancelled_at', type: 'timestamptz', nullable: true })
  cancelledAt: Date | null;

  @Column({ name: 'expired_at', type: 'timestamptz', nullable: true })
  expiredAt: Date | null;

  /** The desktop's own access token, minted at confirmation. */
  @Column({ name: 'login_token_id', type: 'uuid', nullable: true })
  loginTokenId: string | null;

  @ManyToOne('AccessToken', { onDelete: 'SET NULL' })
  @JoinColumn({ name: 'login_token_id', foreignKeyConstraintName: 'fk_qr_sessions_login_token' })
  loginToken?: Relation<AccessToken> | null;
}
