import { Column, CreateDateColumn, Entity, PrimaryColumn, Unique, UpdateDateColumn } from 'typeorm';

export const ACCOUNT_ROLES = ['user', 'admin'] as const;
export type AccountRole = (typeof ACCOUNT_ROLES)[number];

/** A person who signs in. The password is kept only as a slow salted hash (see PasswordHasher). */
@Entity({ name: 'accounts', comment: 'People who sign in. Passwords are kept only as scrypt hashes.' })
@Unique('uq_accounts_username', ['username'])
export class Account {
  @PrimaryColumn({ type: 'uuid', primaryKeyConstraintName: 'pk_accounts', comment: 'Account id, shown to clients as account.id.' })
  id: string;

  @Column({ type: 'varchar', length: 64, comment: 'Sign-in name: 3-64 characters of a-z 0-9 . _ -, unique.' })
  username: string;

  @Column({ name: 'display_name', type: 'varchar', length: 100, comment: 'Name shown to people, e.g. on the desktop after a scan.' })
  displayName: string;

  @Column({ name: 'password_hash', type: 'text', comment: 'scrypt$N$r$p$salt$hash: salted slow hash, never the password.' })
  passwordHash: string;

  @Column({
    type: 'enum',
    enum: ACCOUNT_ROLES,
    enumName: 'account_role',
    default: 'user',
    comment: 'user, or admin (may use the admin API and page).',
  })
  role: AccountRole;

  @CreateDateColumn({ name: 'created_at', type: 'timestamptz', comment: 'When the account was registered.' })
  createdAt: Date;

  @UpdateDateColumn({ name: 'updated_at', type: 'timestamptz', comment: 'When the row last changed.' })
  updatedAt: Date;
}
