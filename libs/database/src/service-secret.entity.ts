import { Column, CreateDateColumn, Entity, PrimaryColumn } from 'typeorm';

/**
 * Secrets the service generates for itself and every process sharing the database must agree on (today the JWT
 * signing secret when JWT_SECRET is unset). Created once with INSERT ... ON CONFLICT DO NOTHING: the first process
 * wins, every other reads the winner's.
 */
@Entity({
  name: 'service_secrets',
  comment: 'Generated secrets shared by every process on this database (e.g. the JWT secret when JWT_SECRET is unset).',
})
export class ServiceSecret {
  @PrimaryColumn({ type: 'varchar', length: 64, primaryKeyConstraintName: 'pk_service_secrets', comment: 'What the secret is for, e.g. jwt.' })
  name: string;

  @Column({ type: 'text', comment: 'The secret itself: whoever reads this table can sign access tokens.' })
  value: string;

  @CreateDateColumn({ name: 'created_at', type: 'timestamptz', comment: 'When the first process created it.' })
  createdAt: Date;
}
