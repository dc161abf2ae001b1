import type { AppConfig } from './app-config';

/**
 * The typed configuration as an injectable: `constructor(private readonly config: AppConfigService)`.
 * Built from an already validated {@link AppConfig}; database URL and JWT secret are resolved by the bootstrap.
 */
export class AppConfigService implements Readonly<AppConfig> {
  readonly port!: number;
  readonly databaseUrl!: string;
  readonly databasePoolSize!: number;
  readonly jwtSecret!: string;
  readonly publicUrl!: string;
  readonly corsOrigins!: string[];
  readonly dataDir!: string;
  readonly qrTtlSeconds!: number;
  readonly scanTicketTtlSeconds!: number;
  readonly accessTokenTtlSeconds!: number;
  readonly loginPickupSeconds!: number;
  readonly expirySweepSeconds!: number;
  readonly retentionDays!: number;
  readonly retentionSweepSeconds!: number;
  readonly socketRecheckSeconds!: number;
  readonly socketHandshakeTimeoutSeconds!: number;
  readonly adminUsername!: string | undefined;
  readonly adminPassword!: string | undefined;
  readonly redisUrl!: string | undefined;
  readonly workers!: number;
  readonly rateLimits!: boolean;
  readonly trustProxy!: number;
  readonly bodyLimitBytes!: number;
  readonly metricsToken!: string | undefined;
  readonly logFormat!: 'json' | 'pretty';
  readonly logLevel!: AppConfig['logLevel'];
  readonly shutdownGraceSeconds!: number;

  constructor(config: AppConfig & { databaseUrl: string; jwtSecret: string }) {
    Object.assign(this, config);
    Object.freeze(this);
  }
}
