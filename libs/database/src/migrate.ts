import { DataSource, MigrationExecutor } from 'typeorm';
import { createDataSourceOptions } from './data-source-options';

/**
 * The advisory lock that serialises migrations across processes on one database: a number of our own, which nothing
 * else that shares the database is expected to lock.
 */
const MIGRATIONS_LOCK = 7_290_442_015;

/**
 * Applies every pending migration; answers the names of those it ran. Processes that start together on one database
 * (compose's replicas, or services deployed at once) take turns on an advisory lock: the first migrates, each one after
 * it finds nothing pending. Without it they would all create the same tables and types, and all but one fail.
 */
export async function runMigrations(url: string): Promise<string[]> {
  const dataSource = new DataSource({ ...createDataSourceOptions(url, { poolSize: 2, applicationName: 'qr-login-migrate' }), logging: ['error'] });
  await dataSource.initialize();
  // The lock belongs to a connection, so the migrations run on the one that holds it.
  const queryRunner = dataSource.createQueryRunner();
  try {
    await queryRunner.query('SELECT pg_advisory_lock($1)', [MIGRATIONS_LOCK]);
    const executor = new MigrationExecutor(dataSource, queryRunner);
    executor.transaction = 'each';
    const applied = await executor.executePendingMigrations();
    return applied.map((migration) => migration.name);
  } finally {
    // Closing the connection (destroy) releases the lock too, even when the unlock cannot be sent.
    await queryRunner.query('SELECT pg_advisory_unlock($1)', [MIGRATIONS_LOCK]).catch(() => undefined);
    await queryRunner.release();
    await dataSource.destroy();
  }
}
