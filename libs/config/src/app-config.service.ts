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
  readonly qrAsyncCommit!: boolean;
  readonly scanTicketTtlSeconds!: number;
  readonly accessTokenTtlSeconds!: number;
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

  /**
   * This process is the only one on its database: it started the embedded PostgreSQL itself and serves without
   * workers. Nothing else can reach that database (loopback only, its password private to the service), so events
   * this process hands its own listeners need not travel through it (docs/realtime.md). False whenever DATABASE_URL
   * is set or WORKERS is above 1.
   */
  readonly aloneOnDatabase!: boolean;

  constructor(config: AppConfig & { databaseUrl: string; jwtSecret: string; aloneOnDatabase?: boolean }) {
    Object.assign(this, { aloneOnDatabase: false }, config);
    Object.freeze(this);
  }
}
