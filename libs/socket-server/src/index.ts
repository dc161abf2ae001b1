export * from './socket-server.adapter';
