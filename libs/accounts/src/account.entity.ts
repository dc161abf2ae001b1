import { Column, CreateDateColumn, Entity, PrimaryColumn, Unique, UpdateDateColumn } from 'typeorm';

export const ACCOUNT_ROLES = ['user', 'admin'] as const;
export type AccountRole = (typeof ACCOUNT_ROLES)[number];

/** A person who signs in. The password is kept only as a slow salted hash (see PasswordHasher). */
@Entity({ name: 'accounts' })
@Unique('uq_accounts_username', ['username'])
export class Account {
  @PrimaryColumn({ type: 'uuid', primaryKeyConstraintName: 'pk_accounts' })
  id: string;

  @Column({ type: 'varchar', length: 64 })
  username: string;

  @Column({ name: 'display_name', type: 'varchar', length: 100 })
  displayName: string;

  @Column({ name: 'password_hash', type: 'text' })
  passwordHash: string;

  @Column({ type: 'enum', enum: ACCOUNT_ROLES, enumName: 'account_role', default: 'user' })
  role: AccountRole;

  @CreateDateColumn({ name: 'created_at', type: 'timestamptz' })
  createdAt: Date;

  @UpdateDateColumn({ name: 'updated_at', type: 'timestamptz' })
  updatedAt: Date;
}
