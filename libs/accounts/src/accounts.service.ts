import { Injectable } from '@nestjs/common';
import { DataSource, type EntityManager } from 'typeorm';
import { DomainError } from '@app/common';
import type { AccountView } from '@app/contract';
import type { Account } from './account.entity';
import { AccountsRepository } from './accounts.repository';
import { decoyHash, hashPassword, verifyPassword } from './password-hasher';
import { PasswordStrength } from './password-strength';

export function toAccountView(account: Pick<Account, 'id' | 'username' | 'displayName'>): AccountView {
  return { id: account.id, username: account.username, displayName: account.displayName };
}

@Injectable()
export class AccountsService {
  constructor(
    private readonly accounts: AccountsRepository,
    private readonly dataSource: DataSource,
    private readonly strength: PasswordStrength,
  ) {}

  async register(input: { username: string; password: string; displayName?: string }): Promise<Account> {
    await this.strength.assertStrong(input.password, [input.username, ...(input.displayName ? [input.displayName] : [])]);
    const account = await this.accounts.create({
      username: input.username,
      displayName: input.displayName ?? input.username,
      passwordHash: await hashPassword(input.password),
    });
    if (!account) throw new DomainError('username_taken', `The username "${input.username}" is taken.`);
    return account;
  }

  /** Answers the account whose password this is, or fails with `invalid_credentials` in the same time either way. */
  async authenticate(username: string, password: string): Promise<Account> {
    const account = await this.accounts.findByUsername(username);
    const matches = await verifyPassword(password, account?.passwordHash ?? (await decoyHash()));
    if (!account || !matches) throw new DomainError('invalid_credentials', 'Wrong username or password.');
    return account;
  }

  /**
   * Makes sure an admin account with this username and password exists (ADMIN_USERNAME / ADMIN_PASSWORD). Nothing is
   * written when it already does. When an existing account's password or role changes, `changed` runs in the same
   * transaction: whoever held that account before the operator took it over must not keep its tokens.
   */
  async ensureAdmin(
    username: string,
    password: string,
    changed: (manager: EntityManager, accountId: string) => Promise<unknown>,
  ): Promise<'created' | 'updated' | 'unchanged'> {
    // The admin's password is held to the same rule as everyone's, also when the account already has it: an admin
    // with a guessable password is the weakest account of all.
    await this.strength.assertStrong(password, [username]);
    const existing = await this.accounts.findByUsername(username);
    if (existing?.role === 'admin' && (await verifyPassword(password, existing.passwordHash))) return 'unchanged';
    const passwordHash = await hashPassword(password);
    return this.dataSource.transaction(async (manager) => {
      const { id, created } = await this.accounts.upsertAdmin(manager, username, passwordHash);
      if (!created) await changed(manager, id);
      return created ? 'created' : 'updated';
    });
  }

  async get(id: string): Promise<Account> {
    const account = await this.accounts.findById(id);
    if (!account) throw new DomainError('not_found', 'No such account.');
    return account;
  }
}
