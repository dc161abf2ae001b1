export * from './drain';
export * from './drain.hook';
export * from './lifecycle.module';
