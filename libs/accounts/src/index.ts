export * from './account.entity';
export * from './accounts.repository';
export * from './accounts.service';
export * from './accounts.module';
export * from './password-hasher';
export * from './password-strength';
