export * from './create-logger';
export * from './nest-pino.logger';
export * from './request-logging.hook';
