export * from './app-config';
export * from './app-config.service';
export * from './config.module';
