import { Column, Entity, Index, PrimaryColumn } from 'typeorm';

/**
 * One fixed-window counter per key (e.g. "login:ip:203.0.113.7"). Kept in PostgreSQL so that every API process
 * counts together; the table is UNLOGGED (see its migration): counters need not survive a crash.
 */
@Entity({ name: 'rate_limit_counters', comment: 'Fixed-window request counters shared by all API processes (UNLOGGED).' })
@Index('ix_rate_limit_counters_window', ['windowStartedAt'])
export class RateLimitCounter {
  @PrimaryColumn({
    type: 'varchar',
    length: 200,
    primaryKeyConstraintName: 'pk_rate_limit_counters',
    comment: 'Policy and subject, e.g. login:ip:203.0.113.7.',
  })
  key: string;

  @Column({ name: 'window_started_at', type: 'timestamptz', comment: 'Start of the current window.' })
  windowStartedAt: Date;

  @Column({ type: 'integer', comment: 'Requests counted in the window.' })
  hits: number;
}
