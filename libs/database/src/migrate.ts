import { DataSource, MigrationExecutor, type QueryRunner } from 'typeorm';
import { createDataSourceOptions } from './data-source-options';

/**
 * The advisory lock that serialises migrations across processes on one database: a number of our own, which nothing
 * else that shares the database is expected to lock.
 */
export const MIGRATIONS_LOCK = 7_290_442_015;

/** How long a starting process waits for its turn, while another process migrates. */
const TURN_TIMEOUT = '10min';
/**
 * How long a migration waits for a table that running queries hold. All the migrations run in one transaction, which
 * keeps every lock it took while it waits: a long wait would hold up every query on those tables meanwhile.
 */
const TABLE_LOCK_TIMEOUT = '30s';

/**
 * Applies every pending migration; answers the names of those it ran. Processes that start together on one database
 * (compose's replicas, or services deployed at once) take turns: the first migrates, each one after it finds nothing
 * pending. Without that they would all create the same tables and types, and all but one fail.
 */
export function runMigrations(url: string): Promise<string[]> {
  return inTurn(url, async (executor) => (await executor.executePendingMigrations()).map((migration) => migration.name));
}

/**
 * Undoes the last applied migration (`npm run migration:revert`), in its turn with processes that start meanwhile;
 * answers its name, or undefined when none was applied. A process starting right after applies it again: stop the
 * service, or deploy the build without it, before reverting.
 */
export function revertLastMigration(url: string): Promise<string | undefined> {
  return inTurn(url, async (executor, queryRunner) => {
    // TypeORM's own choice of the last one: the latest timestamp.
    const table = queryRunner.connection.options.migrationsTableName!;
    const [last] = (await queryRunner.query(`SELECT name FROM "${table}" ORDER BY "timestamp" DESC LIMIT 1`)) as { name: string }[];
    if (!last) return undefined;
    await executor.undoLastMigration();
    return last.name;
  });
}

/**
 * Runs `work` in the migrations' turn. The turn is a transaction-scoped advisory lock, and the work runs in that one
 * transaction: it holds on one server connection also behind PgBouncer in transaction mode (a session's lock would
 * not), and it goes with the transaction whatever happens to the process. A migration that cannot run in a transaction
 * (`CREATE INDEX CONCURRENTLY`) does not belong here.
 */
async function inTurn<T>(url: string, work: (executor: MigrationExecutor, queryRunner: QueryRunner) => Promise<T>): Promise<T> {
  const dataSource = new DataSource({ ...createDataSourceOptions(url, { poolSize: 2, applicationName: 'qr-login-migrate' }), logging: ['error'] });
  await dataSource.initialize();
  const queryRunner = dataSource.createQueryRunner();
  let hasTurn = false;
  try {
    // READ COMMITTED whatever the database's default: each statement then sees what the process before it committed
    // (under REPEATABLE READ the snapshot would be taken before the wait, and the migrations run again).
    await queryRunner.startTransaction('READ COMMITTED');
    await queryRunner.query(`SET LOCAL statement_timeout = 0`);
    await queryRunner.query(`SET LOCAL lock_timeout = '${TURN_TIMEOUT}'`);
    await queryRunner.query('SELECT pg_advisory_xact_lock($1)', [MIGRATIONS_LOCK]);
    hasTurn = true;
    await queryRunner.query(`SET LOCAL lock_timeout = '${TABLE_LOCK_TIMEOUT}'`);
    const executor = new MigrationExecutor(dataSource, queryRunner);
    executor.transaction = 'all';
    const result = await work(executor, queryRunner);
    await queryRunner.commitTransaction();
    return result;
  } catch (error) {
    if (queryRunner.isTransactionActive) await queryRunner.rollbackTransaction().catch(() => undefined);
    if ((error as { code?: unknown }).code === '55P03') {
      const why = hasTurn
        ? `a migration waited ${TABLE_LOCK_TIMEOUT} for a table that running queries hold; retry when it is quieter`
        : `another process has been migrating for ${TURN_TIMEOUT}`;
      throw new Error(why, { cause: error });
    }
    throw error;
  } finally {
    await queryRunner.release();
    await dataSource.destroy();
  }
}
