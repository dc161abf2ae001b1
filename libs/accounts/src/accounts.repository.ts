import { Injectable } from '@nestjs/common';
import { randomUUID } from 'node:crypto';
import { DataSource, QueryFailedError } from 'typeorm';
import { Account, type AccountRole } from './account.entity';

const UNIQUE_VIOLATION = '23505';

@Injectable()
export class AccountsRepository {
  constructor(private readonly dataSource: DataSource) {}

  private get accounts() {
    return this.dataSource.getRepository(Account);
  }

  /** Inserts a new account; answers null when the username is taken. */
  async create(account: { username: string; displayName: string; passwordHash: string; role?: AccountRole }): Promise<Account | null> {
    const row = this.accounts.create({ id: randomUUID(), role: 'user', ...account });
    try {
      await this.accounts.insert(row);
    } catch (error) {
      if (error instanceof QueryFailedError && (error.driverError as { code?: string }).code === UNIQUE_VIOLATION) return null;
      throw error;
    }
    return this.accounts.findOneByOrFail({ id: row.id });
  }

  findByUsername(username: string): Promise<Account | null> {
    return this.accounts.findOneBy({ username });
  }

  findById(id: string): Promise<Account | null> {
    return this.accounts.findOneBy({ id });
  }
}
