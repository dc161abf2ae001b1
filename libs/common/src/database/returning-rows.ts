import type { EntityManager } from 'typeorm';

/**
 * Runs an INSERT / UPDATE / DELETE ... RETURNING inside the caller's transaction and answers the returned rows.
 * (`EntityManager.query` answers `[rows, count]` for UPDATE and DELETE but plain rows for INSERT; the structured
 * result is the same for all three.)
 */
export async function returningRows<T>(manager: EntityManager, sql: string, parameters: unknown[]): Promise<T[]> {
  if (!manager.queryRunner) throw new Error('returningRows needs the EntityManager of a transaction');
  const result = await manager.queryRunner.query(sql, parameters, true);
  return result.records as T[];
}
