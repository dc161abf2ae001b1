export * from './qr-session.entity';
export * from './qr-session-event.entity';
export * from './qr-session-change';
export * from './qr-session-changes';
export * from './qr-sessions.repository';
export * from './qr-sessions.service';
export * from './qr-snapshots';
export * from './qr-sessions.module';
