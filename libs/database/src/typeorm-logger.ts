import { Logger as NestLogger } from '@nestjs/common';
import type { Logger, QueryRunner } from 'typeorm';

/**
 * TypeORM's messages through the process's logger (JSON lines in production, nothing in tests that silence the app)
 * instead of straight to the console. Queries and their parameters are never logged: parameters carry hashes and
 * tickets.
 */
export class TypeOrmLogger implements Logger {
  private readonly logger = new NestLogger('TypeORM');

  logQuery(): void {}

  logQueryError(error: string | Error, _query: string, _parameters?: unknown[], _runner?: QueryRunner): void {
    this.logger.warn(`query failed: ${error instanceof Error ? error.message : error}`);
  }

  logQuerySlow(time: number): void {
    this.logger.warn(`a query took ${time} ms`);
  }

  logSchemaBuild(message: string): void {
    this.logger.debug?.(message);
  }

  logMigration(message: string): void {
    this.logger.log(message);
  }

  log(level: 'log' | 'info' | 'warn', message: unknown): void {
    const text = message instanceof Error ? message.message : String(message);
    if (level === 'warn') this.logger.warn(text);
    else this.logger.log(text);
  }
}
