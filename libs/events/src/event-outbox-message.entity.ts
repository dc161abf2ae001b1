import { Column, Entity, Index, PrimaryGeneratedColumn } from 'typeorm';

/**
 * An event committed with its change and not yet known to be published (Redis event bus only). The process that
 * committed it publishes it right after the commit and deletes it; rows that stay (that process died, or Redis was
 * unreachable) are published by any process's sweep. With PostgreSQL NOTIFY as the bus the table stays empty.
 */
@Entity({ name: 'event_outbox', comment: 'Events committed with their change, waiting to be published to Redis (REDIS_URL only).' })
@Index('ix_event_outbox_created', ['createdAt'])
export class EventOutboxMessage {
  @PrimaryGeneratedColumn('identity', {
    type: 'bigint',
    generatedIdentity: 'ALWAYS',
    primaryKeyConstraintName: 'pk_event_outbox',
    comment: 'Order of events; also the id receivers use to drop a message published twice.',
  })
  id: string;

  @Column({ type: 'varchar', length: 63, comment: 'Event bus channel, e.g. qr_session_events.' })
  channel: string;

  @Column({ type: 'jsonb', comment: 'The message as published.' })
  payload: unknown;

  @Column({ name: 'created_at', type: 'timestamptz', default: () => 'now()', comment: 'When the change committed (as of its transaction).' })
  createdAt: Date;
}
