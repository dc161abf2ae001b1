import { Injectable } from '@nestjs/common';
import { randomUUID } from 'node:crypto';
import { DataSource } from 'typeorm';
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

  findByUsername(username: string): Promise<Account | null> {
    return this.accounts.findOneBy({ username });
  }

  findById(id: string): Promise<Account | null> {
    return this.accounts.findOneBy({ id });
  }
}
