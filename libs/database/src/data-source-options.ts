import type { DataSourceOptions } from 'typeorm';
import { MIGRATIONS } from './migrations';
import { TypeOrmLogger } from './typeorm-logger';

/**
 * The one set of DataSource options: used by the app, by `ormconfig.ts` (the TypeORM CLI) and by the tests.
 * The schema only ever changes through migrations.
 */
export function createDataSourceOptions(
  url: string,
  overrides: { entities?: DataSourceOptions['entities']; poolSize?: number; applicationName?: string } = {},
): DataSourceOptions {
  return {
    type: 'postgres',
    url,
    // Given by the composition root (apps/api/src/entities.ts): this library knows no feature's tables.
    entities: overrides.entities ?? [],
    migrations: MIGRATIONS,
    migrationsTableName: 'schema_migrations',
    synchronize: false,
    migrationsRun: false,
    // Not 'error': TypeORM would log failed queries with their parameters, which can hold hashes and tickets.
    logging: ['warn', 'migration'],
    logger: new TypeOrmLogger(),
    extra: {
      // The app passes DATABASE_POOL_SIZE (libs/config); the TypeORM CLI and tests run a few statements at a time.
      max: overrides.poolSize ?? 4,
      application_name: overrides.applicationName ?? 'qr-login',
      connectionTimeoutMillis: 5000,
      keepAlive: true,
    },
  };
}
