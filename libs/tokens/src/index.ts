export * from './access-token.entity';
export * from './auth-context';
export * from './tokens.repository';
export * from './tokens.service';
export * from './access-token.guard';
export * from './current-auth.decorator';
export * from './tokens.module';
