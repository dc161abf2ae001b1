import { Column, Entity, Index, JoinColumn, ManyToOne, PrimaryGeneratedColumn, type Relation } from 'typeorm';
import { QR_EVENT_TYPES, type QrEventType } from '@app/contract';
import type { Account } from '@app/accounts';
import type { Device } from '@app/devices';
import type { QrSession } from './qr-session.entity';

/** The audit trail: one row per thing that happened to a QR session, written in the same transaction as the change. */
@Entity({ name: 'qr_session_events', comment: 'Audit trail of QR sessions: one row per event, written with the change it records.' })
@Index('ix_qr_session_events_session', ['qrSessionId', 'occurredAt'])
// The admin's chart counts outcomes per hour over the last days: one range scan per event type.
@Index('ix_qr_session_events_type_time', ['type', 'occurredAt'])
export class QrSessionEvent {
  @PrimaryGeneratedColumn('identity', {
    type: 'bigint',
    generatedIdentity: 'ALWAYS',
    primaryKeyConstraintName: 'pk_qr_session_events',
    comment: 'Order of events.',
  })
  id: string;

  @Column({ name: 'qr_session_id', type: 'varchar', length: 22, comment: 'The session.' })
  qrSessionId: string;

  @ManyToOne('QrSession', { onDelete: 'CASCADE' })
  @JoinColumn({ name: 'qr_session_id', foreignKeyConstraintName: 'fk_qr_session_events_session' })
  qrSession?: Relation<QrSession>;

  @Column({
    type: 'enum',
    enum: QR_EVENT_TYPES,
    enumName: 'qr_session_event_type',
    comment: 'created, scanned, confirmed, rejected, cancelled or expired.',
  })
  type: QrEventType;

  @Column({ name: 'occurred_at', type: 'timestamptz', default: () => 'now()', comment: 'When it happened.' })
  occurredAt: Date;

  @Column({ type: 'inet', nullable: true, comment: 'IP address of the request that caused it; null for expiry.' })
  ip: string | null;

  @Column({ name: 'user_agent', type: 'text', nullable: true, comment: 'User agent of that request.' })
  userAgent: string | null;

  @Column({ name: 'account_id', type: 'uuid', nullable: true, comment: 'The acting account, when signed in (the phone).' })
  accountId: string | null;

  @ManyToOne('Account', { onDelete: 'SET NULL' })
  @JoinColumn({ name: 'account_id', foreignKeyConstraintName: 'fk_qr_session_events_account' })
  account?: Relation<Account> | null;

  @Column({ name: 'device_id', type: 'uuid', nullable: true, comment: 'The acting device (devices.id), when signed in.' })
  deviceId: string | null;

  @ManyToOne('Device', { onDelete: 'SET NULL' })
  @JoinColumn({ name: 'device_id', foreignKeyConstraintName: 'fk_qr_session_events_device' })
  device?: Relation<Device> | null;

  /** The id the acting client sent as its device id (the desktop's for `created` / `cancelled`, the phone's otherwise). */
  @Column({
    name: 'client_device_id',
    type: 'varchar',
    length: 128,
    nullable: true,
    comment: 'X-Device-Id of the acting client: the desktop for created/cancelled, the phone otherwise.',
  })
  clientDeviceId: string | null;
}
