export * from './http-metrics.middleware';
export * from './http-route';
export * from './metrics.module';
export * from './metrics.service';
