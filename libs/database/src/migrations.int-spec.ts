import { execFile } from 'node:child_process';
import { promisify } from 'node:util';
import { DataSource } from 'typeorm';
import { buildApi, ROOT } from '../../../test/support/service-process';
import { createTestDatabase, type TestDatabase } from '../../../test/support/test-database';
// The schema's entities, as the app lists them (a test composes like an app).
import { ENTITIES } from '../../../apps/api/src/entities';
import { createDataSourceOptions } from './data-source-options';
import { MIGRATIONS_LOCK, runMigrations } from './migrate';
import { MIGRATIONS } from './migrations';

/** The migrations are the only source of the schema: they must build it from empty, match the entities, and undo. */
describe('migrations', () => {
  let db: TestDatabase;
  let dataSource: DataSource;

  beforeAll(async () => {
    db = await createTestDatabase({ empty: true });
    dataSource = new DataSource({ ...createDataSourceOptions(db.url, { entities: ENTITIES, poolSize: 2 }), logging: false });
    await dataSource.initialize();
  });
  afterAll(async () => {
    await dataSource.destroy();
    await db.drop();
  });

  async function tables(): Promise<string[]> {
    const rows: Array<{ tablename: string }> = await dataSource.query(
      `SELECT tablename FROM pg_tables WHERE schemaname = 'public' AND tablename <> 'schema_migrations' ORDER BY tablename`,
    );
    return rows.map((row) => row.tablename);
  }

  it('build the schema from an empty database', async () => {
    expect(await tables()).toEqual([]);
    const applied = await dataSource.runMigrations({ transaction: 'each' });
    expect(applied).toHaveLength(MIGRATIONS.length);
    expect(await tables()).toEqual([
      'access_tokens',
      'accounts',
      'device_authorizations',
      'devices',
      'event_outbox',
      'login_failure_counters',
      'qr_session_events',
      'qr_sessions',
      'rate_limit_counters',
      'service_secrets',
    ]);
  });

  it('leave no drift between the entities and the schema', async () => {
    const pending = await dataSource.driver.createSchemaBuilder().log();
    expect(pending.upQueries.map((query) => query.query)).toEqual([]);
  });

  it('undo every migration with down, and apply again', async () => {
    for (let i = 0; i < MIGRATIONS.length; i++) await dataSource.undoLastMigration({ transaction: 'each' });
    expect(await tables()).toEqual([]);
    const [types] = await dataSource.query(`SELECT count(*)::int AS n FROM pg_type t JOIN pg_namespace n ON n.oid = t.typnamespace
                                             WHERE n.nspname = 'public' AND t.typtype = 'e'`);
    expect(types.n).toBe(0);
    await dataSource.runMigrations({ transaction: 'each' });
    expect(await tables()).toHaveLength(10);
  });
});

/** Processes that start together on one database (compose's replicas) each run the migrations as they start. */
describe('migrations run by processes starting together', () => {
  let db: TestDatabase;

  beforeAll(async () => {
    db = await createTestDatabase({ empty: true });
  });
  afterAll(() => db.drop());

  it('take turns: one builds the schema, the others find nothing pending, and none fails', async () => {
    const outcomes = await Promise.allSettled([runMigrations(db.url), runMigrations(db.url), runMigrations(db.url), runMigrations(db.url)]);
    expect(outcomes.filter((outcome) => outcome.status === 'rejected')).toEqual([]);
    const counts = outcomes.map((outcome) => (outcome.status === 'fulfilled' ? outcome.value.length : -1)).sort((a, b) => a - b);
    expect(counts).toEqual([0, 0, 0, MIGRATIONS.length]);
    // The turn went with each transaction: no lock is left behind for the next start to wait on.
    const dataSource = new DataSource(createDataSourceOptions(db.url, { poolSize: 1 }));
    await dataSource.initialize();
    try {
      expect(
        await dataSource.query(
          `SELECT count(*)::int AS n FROM pg_locks l JOIN pg_database d ON d.oid = l.database WHERE l.locktype = 'advisory' AND d.datname = current_database()`,
        ),
      ).toEqual([{ n: 0 }]);
      expect(await runMigrations(db.url)).toEqual([]);
    } finally {
      await dataSource.destroy();
    }
  });

  it('take turns also where the database runs transactions at REPEATABLE READ by default', async () => {
    const strict = await createTestDatabase({ empty: true });
    try {
      const dataSource = new DataSource(createDataSourceOptions(strict.url, { poolSize: 1 }));
      await dataSource.initialize();
      await dataSource.query(`ALTER DATABASE ${strict.name} SET default_transaction_isolation = 'repeatable read'`);
      await dataSource.destroy();
      const outcomes = await Promise.allSettled([runMigrations(strict.url), runMigrations(strict.url), runMigrations(strict.url)]);
      expect(outcomes.filter((outcome) => outcome.status === 'rejected')).toEqual([]);
    } finally {
      await strict.drop();
    }
  });
});

/** `npm run migration:run` and `migration:revert` (scripts/migrate.mjs): in the turn that starting processes take. */
describe('npm run migration:run and migration:revert', () => {
  let db: TestDatabase;

  beforeAll(async () => {
    db = await createTestDatabase({ empty: true });
    await buildApi();
  }, 120_000);
  afterAll(() => db.drop());

  it('applies the pending migrations once, beside another run at the same moment, and says what it did last', async () => {
    const run = () => promisify(execFile)(process.execPath, ['scripts/migrate.mjs'], { cwd: ROOT, env: { ...process.env, DATABASE_URL: db.url } });
    const outputs = (await Promise.all([run(), run()])).map(({ stdout }) => stdout.trim().split('\n').at(-1)).sort();
    expect(outputs).toEqual([`applied: ${MIGRATIONS.map((migration) => migration.name).join(', ')}`, 'nothing pending']);
  });

  it('reverts the last migration only in its turn, and says which', async () => {
    await runMigrations(db.url);
    const last = MIGRATIONS.at(-1)!.name;
    const dataSource = new DataSource(createDataSourceOptions(db.url, { poolSize: 2 }));
    await dataSource.initialize();
    const holder = dataSource.createQueryRunner();
    try {
      // Another process is migrating: it holds the turn.
      await holder.startTransaction();
      await holder.query('SELECT pg_advisory_xact_lock($1)', [MIGRATIONS_LOCK]);
      const revert = promisify(execFile)(process.execPath, ['scripts/migrate.mjs', 'revert'], {
        cwd: ROOT,
        env: { ...process.env, DATABASE_URL: db.url },
      });
      const waiting = `SELECT count(*)::int AS n FROM pg_locks l JOIN pg_stat_activity a ON a.pid = l.pid
                        WHERE l.locktype = 'advisory' AND NOT l.granted AND a.application_name = 'qr-login-migrate'`;
      while ((await dataSource.query(waiting))[0].n === 0) await new Promise((resolve) => setTimeout(resolve, 50));
      expect(await dataSource.query(`SELECT name FROM schema_migrations WHERE name = $1`, [last])).toEqual([{ name: last }]);

      await holder.commitTransaction();
      expect((await revert).stdout.trim().split('\n').at(-1)).toBe(`reverted: ${last}`);
      expect(await dataSource.query(`SELECT name FROM schema_migrations WHERE name = $1`, [last])).toEqual([]);
      // Its down ran: applying it again finds nothing of it left.
      expect(await runMigrations(db.url)).toEqual([last]);
    } finally {
      if (holder.isTransactionActive) await holder.rollbackTransaction();
      await holder.release();
      await dataSource.destroy();
    }
  });
});
