import { Column, Entity, Index, JoinColumn, ManyToOne, PrimaryColumn, type Relation } from 'typeorm';
import type { Account } from '@app/accounts';

export const TOKEN_GRANTS = ['password', 'qr'] as const;
export type TokenGrant = (typeof TOKEN_GRANTS)[number];
export const TOKEN_REVOKE_REASONS = ['logout', 'device_signed_out', 'admin'] as const;
export type TokenRevokeReason = (typeof TOKEN_REVOKE_REASONS)[number];

/**
 * The record of one issued access token (its `jti`). The token string itself is never stored: the signature proves it,
 * this row says whether it still stands. Revocation is a timestamp here, checked on every request.
 */
@Entity({
  name: 'access_tokens',
  comment: 'Issued access tokens (their jti). The token string is never stored; revoked_at says whether it still stands.',
})
@Index('ix_access_tokens_device_active', ['deviceId'], { where: 'revoked_at IS NULL' })
@Index('ix_access_tokens_account', ['accountId'])
export class AccessToken {
  @PrimaryColumn({ type: 'uuid', primaryKeyConstraintName: 'pk_access_tokens', comment: "The token's jti claim." })
  id: string;

  @Column({ name: 'account_id', type: 'uuid', comment: 'The account the token signs in.' })
  accountId: string;

  @ManyToOne('Account', { onDelete: 'CASCADE' })
  @JoinColumn({ name: 'account_id', foreignKeyConstraintName: 'fk_access_tokens_account' })
  account?: Relation<Account>;

  @Column({ name: 'device_id', type: 'uuid', comment: 'The device (devices.id) the token is bound to.' })
  deviceId: string;

  @ManyToOne('Device', { onDelete: 'CASCADE' })
  @JoinColumn({ name: 'device_id', foreignKeyConstraintName: 'fk_access_tokens_device' })
  // Named by string, not imported: the devices library depends on this one, not the other way round.
  device?: Relation<object>;

  /** How the token was obtained: a password sign-in, or a QR sign-in confirmed from a phone. */
  @Column({
    name: 'grant_type',
    type: 'enum',
    enum: TOKEN_GRANTS,
    enumName: 'token_grant',
    comment:
      "password: signed in with a password (a phone, or the admin page); qr: signed in by a phone's confirmation (a desktop by QR code, or a CLI or TV by its user code).",
  })
  grant: TokenGrant;

  @Column({ name: 'issued_at', type: 'timestamptz', comment: 'iat of the token.' })
  issuedAt: Date;

  @Column({ name: 'expires_at', type: 'timestamptz', comment: 'exp of the token.' })
  expiresAt: Date;

  @Column({ name: 'revoked_at', type: 'timestamptz', nullable: true, comment: 'When the token was revoked; null while it stands.' })
  revokedAt: Date | null;

  @Column({
    name: 'revoke_reason',
    type: 'enum',
    enum: TOKEN_REVOKE_REASONS,
    enumName: 'token_revoke_reason',
    nullable: true,
    comment: 'logout, device_signed_out, or admin.',
  })
  revokeReason: TokenRevokeReason | null;
}
