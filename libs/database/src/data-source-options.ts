import type { DataSourceOptions } from 'typeorm';
import { Account } from '@app/accounts';
import { DeviceAuthorization } from '@app/device-grant';
import { Device } from '@app/devices';
import { EventOutboxMessage } from '@app/events';
import { AccessToken } from '@app/tokens';
import { QrSession, QrSessionEvent } from '@app/qr-sessions';
import { LoginFailureCounter, RateLimitCounter } from '@app/rate-limits';
import { MIGRATIONS } from './migrations';
import { TypeOrmLogger } from './typeorm-logger';
import { ServiceSecret } from './service-secret.entity';

export const ENTITIES = [Account, Device, AccessToken, QrSession, QrSessionEvent, RateLimitCounter, LoginFailureCounter, DeviceAuthorization, EventOutboxMessage, ServiceSecret];

/**
 * The one set of DataSource options: used by the app, by `ormconfig.ts` (the TypeORM CLI) and by the tests.
 * The schema only ever changes through migrations.
 */
export function createDataSourceOptions(url: string, overrides: { poolSize?: number; applicationName?: string } = {}): DataSourceOptions {
  return {
    type: 'postgres',
    url,
    entities: ENTITIES,
    migrations: MIGRATIONS,
    migrationsTableName: 'schema_migrations',
    migrationsTransactionMode: 'each',
    synchronize: false,
    migrationsRun: false,
    // Not 'error': TypeORM would log failed queries with their parameters, which can hold hashes and tickets.
    logging: ['warn', 'migration'],
    logger: new TypeOrmLogger(),
    extra: {
      max: overrides.poolSize ?? 20,
      application_name: overrides.applicationName ?? 'qr-login',
      connectionTimeoutMillis: 5000,
      keepAlive: true,
    },
  };
}
