export * from './drain';
export * from './lifecycle.module';
