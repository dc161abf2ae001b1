import { Injectable } from '@nestjs/common';
import { randomUUID } from 'node:crypto';
import { DataSource, type EntityManager } from 'typeorm';
import { Account, type AccountRole } from './account.entity';

@Injectable()
export class AccountsRepository {
  constructor(private readonly dataSource: DataSource) {}

  private get accounts() {
    return this.dataSource.getRepository(Account);
  }

  /** Inserts a new account; answers null when the username is taken. */
  async create(account: { username: string; displayName: string; passwordHash: string; role?: AccountRole }): Promise<Account | null> {
    const result = await this.accounts
      .createQueryBuilder()
      .insert()
      .values({ id: randomUUID(), role: 'user', ...account })
      .orIgnore()
      .returning('id')
      .execute();
    const id = (result.raw as Array<{ id: string }>)[0]?.id;
    return id ? this.accounts.findOneByOrFail({ id }) : null;
  }

  /**
   * Creates the admin, or makes an existing account admin with this password: one statement, safe to race. Answers the
   * account's id and whether it was created (false: an existing account was changed).
   */
  async upsertAdmin(manager: EntityManager, username: string, passwordHash: string): Promise<{ id: string; created: boolean }> {
    const [row]: Array<{ id: string; created: boolean }> = await manager.query(
      `INSERT INTO accounts (id, username, display_name, password_hash, role, created_at, updated_at)
       VALUES ($1, $2, $2, $3, 'admin', now(), now())
       ON CONFLICT (username) DO UPDATE SET password_hash = EXCLUDED.password_hash, role = 'admin', updated_at = now()
       RETURNING id, (xmax = 0) AS created`,
      [randomUUID(), username, passwordHash],
    );
    return row;
  }

  /** Accounts whose username or display name contains `text`, for the admin page; newest first. */
  search(text: string | undefined, limit: number): Promise<Account[]> {
    const query = this.accounts.createQueryBuilder('account').orderBy('account.created_at', 'DESC').limit(limit);
    if (text) {
      const pattern = `%${text.replace(/[\\%_]/g, (c) => `\\${c}`)}%`;
      query.where('account.username ILIKE :pattern OR account.display_name ILIKE :pattern', { pattern });
    }
    return query.getMany();
  }

  findByUsername(username: string): Promise<Account | null> {
    return this.accounts.findOneBy({ username });
  }

  findById(id: string): Promise<Account | null> {
    return this.accounts.findOneBy({ id });
  }
}
