export * from './domain.error';
export * from './database-errors';
