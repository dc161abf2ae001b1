export * from './sign-in-alerts';
export * from './sign-in-alerts.module';
