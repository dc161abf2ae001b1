import { Column, Entity, PrimaryColumn } from 'typeorm';

/**
 * Failed sign-ins, counted per account and client address ("pair:<username>:<address>") and per account
 * ("account:<username>"), for the login lockout (LoginLockout). Shared by every API process; UNLOGGED (see its
 * migration): losing them in a crash only forgives some failures.
 */
@Entity({ name: 'login_failure_counters', comment: 'Failed sign-ins per account and address, and per account, for the login lockout (UNLOGGED).' })
export class LoginFailureCounter {
  @PrimaryColumn({
    type: 'varchar',
    length: 200,
    primaryKeyConstraintName: 'pk_login_failure_counters',
    comment: 'pair:<username>:<address> or account:<username>.',
  })
  key: string;

  @Column({ type: 'integer', comment: 'Failures since the last success (pair) or within the decay window (account).' })
  failures: number;

  @Column({ name: 'last_failed_at', type: 'timestamptz', nullable: true, comment: 'When the last failure was counted.' })
  lastFailedAt: Date | null;

  @Column({
    name: 'last_succeeded_at',
    type: 'timestamptz',
    nullable: true,
    comment: 'When this account last signed in from this address (pair rows only).',
  })
  lastSucceededAt: Date | null;
}
