export * from './realtime.module';
export * from './qr.gateway';
export * from './qr-socket-auth';
