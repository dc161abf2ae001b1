import { Column, Entity, Index, JoinColumn, ManyToOne, PrimaryGeneratedColumn, type Relation } from 'typeorm';
import type { Account } from '@app/accounts';
import type { Device } from '@app/devices';
import type { QrSession } from './qr-session.entity';

export const QR_SESSION_EVENT_TYPES = ['created', 'scanned', 'confirmed', 'rejected', 'cancelled', 'expired'] as const;
export type QrSessionEventType = (typeof QR_SESSION_EVENT_TYPES)[number];

/** The audit trail: one row per thing that happened to a QR session, written in the same transaction as the change. */
@Entity({ name: 'qr_session_events' })
@Index('ix_qr_session_events_session', ['qrSessionId', 'occurredAt'])
export class QrSessionEvent {
  @PrimaryGeneratedColumn('identity', { type: 'bigint', generatedIdentity: 'ALWAYS', primaryKeyConstraintName: 'pk_qr_session_events' })
  id: string;

  @Column({ name: 'qr_session_id', type: 'varchar', length: 22 })
  qrSessionId: string;

  @ManyToOne('QrSession', { onDelete: 'CASCADE' })
  @JoinColumn({ name: 'qr_session_id', foreignKeyConstraintName: 'fk_qr_session_events_session' })
  qrSession?: Relation<QrSession>;

  @Column({ type: 'enum', enum: QR_SESSION_EVENT_TYPES, enumName: 'qr_session_event_type' })
  type: QrSessionEventType;

  @Column({ name: 'occurred_at', type: 'timestamptz', default: () => 'now()' })
  occurredAt: Date;

  @Column({ type: 'inet', nullable: true })
  ip: string | null;

  @Column({ name: 'user_agent', type: 'text', nullable: true })
  userAgent: string | null;

  @Column({ name: 'account_id', type: 'uuid', nullable: true })
  accountId: string | null;

  @ManyToOne('Account', { onDelete: 'SET NULL' })
  @JoinColumn({ name: 'account_id', foreignKeyConstraintName: 'fk_qr_session_events_account' })
  account?: Relation<Account> | null;

  @Column({ name: 'device_id', type: 'uuid', nullable: true })
  deviceId: string | null;

  @ManyToOne('Device', { onDelete: 'SET NULL' })
  @JoinColumn({ name: 'device_id', foreignKeyConstraintName: 'fk_qr_session_events_device' })
  device?: Relation<Device> | null;

  /** The id the acting client sent as its device id (the desktop's for `created` / `cancelled`, the phone's otherwise). */
  @Column({ name: 'client_device_id', type: 'varchar', length: 128, nullable: true })
  clientDeviceId: string | null;
}
