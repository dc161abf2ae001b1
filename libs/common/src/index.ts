export * from './errors';
export * from './http/http-error.filter';
export * from './http/client-info';
export * from './http/client-info.decorator';
export * from './validation/validation.pipe';
export * from './ids/random-ids';
export * from './database/returning-rows';
