export * from './errors';
export * from './devices';
export * from './qr-sessions';
export * from './admin';
export * from './device-grant';
