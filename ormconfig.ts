import 'reflect-metadata';
import { DataSource } from 'typeorm';
import { createDataSourceOptions } from '@app/database';
import { ENTITIES } from './apps/api/src/entities';

/**
 * The DataSource of the TypeORM CLI (`npm run migration:generate`): the same options as the app. The CLI needs a
 * database to compare with, so DATABASE_URL must be set here. Migrations are applied and reverted by
 * scripts/migrate.mjs, which takes the turn that starting processes take.
 */
const url = process.env.DATABASE_URL;
if (!url) throw new Error('Set DATABASE_URL to the database the TypeORM CLI should use.');

export default new DataSource(createDataSourceOptions(url, { entities: ENTITIES }));
