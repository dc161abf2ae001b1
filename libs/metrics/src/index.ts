export * from './http-metrics.hook';
export * from './metrics.module';
export * from './metrics.service';
