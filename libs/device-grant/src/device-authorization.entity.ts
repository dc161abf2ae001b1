import { Column, Entity, Index, JoinColumn, OneToOne, PrimaryColumn, type Relation } from 'typeorm';
import type { QrSession } from '@app/qr-sessions';

/** The poll interval a device authorization starts with (RFC 8628 §3.2 `interval`); each `slow_down` adds 5 s. */
export const DEFAULT_POLL_INTERVAL_SECONDS = 5;

/**
 * What the OAuth device grant (RFC 8628) keeps about a QR session it created: the asking client, the user code and
 * the polling pace. The session itself (status, expiry, scan, confirmation, audit) is the `qr_sessions` row; the
 * device code is that session's secret. Codes are stored only as SHA-256 hashes.
 */
@Entity({
  name: 'device_authorizations',
  comment: 'OAuth device grants (RFC 8628): the client, user code and polling pace of a QR session made by POST /oauth/device_authorization.',
})
@Index('uq_device_authorizations_user_code_hash', ['userCodeHash'], { unique: true })
@Index('uq_device_authorizations_device_code_hash', ['deviceCodeHash'], { unique: true })
export class DeviceAuthorization {
  @PrimaryColumn({
    name: 'qr_session_id',
    type: 'varchar',
    length: 22,
    primaryKeyConstraintName: 'pk_device_authorizations',
    comment: 'The QR session this grant drives.',
  })
  qrSessionId: string;

  @OneToOne('QrSession', { onDelete: 'CASCADE' })
  @JoinColumn({ name: 'qr_session_id', foreignKeyConstraintName: 'fk_device_authorizations_qr_session' })
  qrSession?: Relation<QrSession>;

  @Column({
    name: 'client_id',
    type: 'varchar',
    length: 64,
    comment: 'client_id of the OAuth client that asked; the token endpoint requires the same.',
  })
  clientId: string;

  @Column({
    name: 'user_code_hash',
    type: 'char',
    length: 64,
    comment: 'SHA-256 of the user code the phone types (unique: a new code is drawn on a clash).',
  })
  userCodeHash: string;

  @Column({
    name: 'device_code_hash',
    type: 'char',
    length: 64,
    comment: 'SHA-256 of the device code, i.e. of the session secret; the token endpoint finds the grant by it.',
  })
  deviceCodeHash: string;

  @Column({
    name: 'poll_interval_seconds',
    type: 'integer',
    default: DEFAULT_POLL_INTERVAL_SECONDS,
    comment: 'Seconds the client must wait between token requests; grows by 5 at each slow_down.',
  })
  pollIntervalSeconds: number;

  @Column({
    name: 'last_polled_at',
    type: 'timestamptz',
    nullable: true,
    comment: 'Last token request for this grant, to tell when the client polls too fast.',
  })
  lastPolledAt: Date | null;

  @Column({
    name: 'token_issued_at',
    type: 'timestamptz',
    nullable: true,
    comment: 'When the token endpoint handed out the access token: it does so once.',
  })
  tokenIssuedAt: Date | null;
}
