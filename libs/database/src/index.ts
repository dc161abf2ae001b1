export * from './data-source-options';
export * from './database.module';
export * from './database-startup-error';
export * from './embedded-postgres';
export * from './migrate';
export * from './service-secret.entity';
export * from './service-secrets';
export * from './prepared-query';
