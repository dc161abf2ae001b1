import { DataSource, MigrationExecutor } from 'typeorm';
import { createDataSourceOptions } from './data-source-options';

/**
 * The advisory lock that serialises migrations across processes on one database: a number of our own, which nothing
 * else that shares the database is expected to lock.
 */
const MIGRATIONS_LOCK = 7_290_442_015;

/** How long a starting process waits for another's migrations (or for a table a migration alters) before it gives up. */
const LOCK_TIMEOUT = '10min';

/**
 * Applies every pending migration; answers the names of those it ran. Processes that start together on one database
 * (compose's replicas, or services deployed at once) take turns: the first migrates, each one after it finds nothing
 * pending. Without that they would all create the same tables and types, and all but one fail.
 *
 * The turn is a transaction-scoped advisory lock, and every pending migration runs in that one transaction: it holds on
 * one server connection also behind PgBouncer in transaction mode (a session's lock would not), and it goes with the
 * transaction whatever happens to the process. A migration that cannot run in a transaction (`CREATE INDEX
 * CONCURRENTLY`) does not belong here.
 */
export async function runMigrations(url: string): Promise<string[]> {
  const dataSource = new DataSource({ ...createDataSourceOptions(url, { poolSize: 2, applicationName: 'qr-login-migrate' }), logging: ['error'] });
  await dataSource.initialize();
  const queryRunner = dataSource.createQueryRunner();
  try {
    await queryRunner.startTransaction();
    await queryRunner.query(`SET LOCAL lock_timeout = '${LOCK_TIMEOUT}'`);
    await queryRunner.query('SELECT pg_advisory_xact_lock($1)', [MIGRATIONS_LOCK]);
    const executor = new MigrationExecutor(dataSource, queryRunner);
    executor.transaction = 'all';
    const applied = await executor.executePendingMigrations();
    await queryRunner.commitTransaction();
    return applied.map((migration) => migration.name);
  } catch (error) {
    if (queryRunner.isTransactionActive) await queryRunner.rollbackTransaction().catch(() => undefined);
    if ((error as { code?: unknown }).code === '55P03') {
      throw new Error(`the migrations waited ${LOCK_TIMEOUT} for a lock: another process is migrating, or holds a table a migration alters`, {
        cause: error,
      });
    }
    throw error;
  } finally {
    await queryRunner.release();
    await dataSource.destroy();
  }
}
