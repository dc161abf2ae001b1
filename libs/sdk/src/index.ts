/**
 * The client SDK of the QR login service, for browsers and Node 20+: no Nest, no Node built-ins. Wire types come from
 * `@app/contract`, so a renamed field breaks the build of the clients too.
 */
export * from './qr-client.error';
export * from './http-client';
export * from './qr-content';
export * from './qr-socket.factory';
export * from './qr-session.watcher';
export * from './qr-session.renewer';
export * from './desktop.client';
export * from './mobile.client';
export type {
  AccountView,
  CreatedQrSession,
  DeviceType,
  DeviceView,
  ErrorBody,
  ErrorCode,
  LoginResult,
  QrSessionSnapshot,
  QrStatus,
  ScanCodeResult,
  ScanResult,
} from '@app/contract';
