import { DataSource } from 'typeorm';
import { createDataSourceOptions } from './data-source-options';

/** Applies every pending migration; answers the names of those it ran. */
export async function runMigrations(url: string): Promise<string[]> {
  const dataSource = new DataSource({ ...createDataSourceOptions(url, { poolSize: 2, applicationName: 'qr-login-migrate' }), logging: ['error'] });
  await dataSource.initialize();
  try {
    const applied = await dataSource.runMigrations({ transaction: 'each' });
    return applied.map((migration) => migration.name);
  } finally {
    await dataSource.destroy();
  }
}
