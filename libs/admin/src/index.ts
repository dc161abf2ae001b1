export * from './admin.module';
export * from './retention.job';
