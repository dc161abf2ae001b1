import { DynamicModule, Module } from '@nestjs/common';
import { TypeOrmModule } from '@nestjs/typeorm';
import type { DataSourceOptions } from 'typeorm';
import { AppConfigService } from '@app/config';
import { createDataSourceOptions } from './data-source-options';

/** The app's DataSource. `entities` come from the composition root, so that this library imports no feature. */
@Module({})
export class DatabaseModule {
  static forRoot(entities: NonNullable<DataSourceOptions['entities']>): DynamicModule {
    return {
      module: DatabaseModule,
      imports: [
        TypeOrmModule.forRootAsync({
          inject: [AppConfigService],
          useFactory: (config: AppConfigService) => ({
            ...createDataSourceOptions(config.databaseUrl, { entities, poolSize: config.databasePoolSize }),
            // Fail fast at start when the database is unreachable, instead of retrying for minutes.
            retryAttempts: 3,
            retryDelay: 1000,
          }),
        }),
      ],
    };
  }
}
