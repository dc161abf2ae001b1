import { availableParallelism } from 'node:os';

/**
 * The service's configuration, read from the environment once at start and validated as a whole so that every
 * problem is reported at once, with the variable's name and what it should look like.
 */
export interface AppConfig {
  port: number;
  /** Unset: the bootstrap starts an embedded PostgreSQL and fills this in before the app is built. */
  databaseUrl: string | undefined;
  /** Connections each process keeps to PostgreSQL at most (DATABASE_POOL_SIZE; see {@link defaultPoolSize}). */
  databasePoolSize: number;
  /** Unset: generated once by the first process and kept in the database (table service_secrets), see apps/api/src/runtime.ts. */
  jwtSecret: string | undefined;
  publicUrl: string;
  /** Origins besides PUBLIC_URL's whose browser pages may call the API and open sockets (CORS_ORIGINS). */
  corsOrigins: string[];
  dataDir: string;
  qrTtlSeconds: number;
  /**
   * A new session and a scan commit without waiting for their WAL flush (QR_ASYNC_COMMIT; PostgreSQL's asynchronous
   * commit): steps that sign no one in, which a database crash may undo but never corrupt. Everything else waits.
   */
  qrAsyncCommit: boolean;
  scanTicketTtlSeconds: number;
  accessTokenTtlSeconds: number;
  /** Safety-net sweep for sessions whose expiry timer no process held (e.g. all were down at that moment). */
  expirySweepSeconds: number;
  /** Finished QR sessions and their audit rows are deleted this many days after creation. */
  retentionDays: number;
  retentionSweepSeconds: number;
  /** How often long-lived sockets (/admin, /account) are checked against token revocation. */
  socketRecheckSeconds: number;
  /** A connection that has not joined a namespace this long after opening is closed. */
  socketHandshakeTimeoutSeconds: number;
  adminUsername: string | undefined;
  adminPassword: string | undefined;
  redisUrl: string | undefined;
  /** How many processes serve the port (node:cluster); the primary starts the embedded database once. */
  workers: number;
  rateLimits: boolean;
  /**
   * How many reverse proxies stand in front (TRUST_PROXY; 0 = off): the client address is taken that many hops from
   * the right of X-Forwarded-For, never from a hop the client wrote itself.
   */
  trustProxy: number;
  bodyLimitBytes: number;
  /** Set: `GET /metrics` needs `Authorization: Bearer <it>`. */
  metricsToken: string | undefined;
  /** `json` (one JSON object per line, for machines) or `pretty` (for people at a terminal). */
  logFormat: 'json' | 'pretty';
  logLevel: 'fatal' | 'error' | 'warn' | 'info' | 'debug' | 'trace' | 'silent';
  /** SIGTERM/SIGINT: how long draining may take before the process exits anyway. */
  shutdownGraceSeconds: number;
}

export class ConfigError extends Error {
  constructor(readonly problems: string[]) {
    super(`Invalid configuration:\n${problems.map((p) => `  - ${p}`).join('\n')}`);
    this.name = 'ConfigError';
  }
}

type Env = Record<string, string | undefined>;

class Reader {
  readonly problems: string[] = [];
  constructor(private readonly env: Env) {}

  string(name: string): string | undefined {
    const value = this.env[name];
    return value === undefined || value.trim() === '' ? undefined : value.trim();
  }

  int(name: string, fallback: number, min: number, max: number): number {
    const raw = this.string(name);
    if (raw === undefined) return fallback;
    if (!/^\d+$/.test(raw) || Number(raw) < min || Number(raw) > max) {
      this.problems.push(`${name} must be a whole number from ${min} to ${max} (got "${raw}")`);
      return fallback;
    }
    return Number(raw);
  }

  onOff(name: string, fallback: boolean): boolean {
    const raw = this.string(name)?.toLowerCase();
    if (raw === undefined) return fallback;
    if (['on', 'true', '1', 'yes'].includes(raw)) return true;
    if (['off', 'false', '0', 'no'].includes(raw)) return false;
    this.problems.push(`${name} must be "on" or "off" (got "${raw}")`);
    return fallback;
  }

  /** A comma-separated list of web origins (`https://app.example.com`, no path), each checked on its own. */
  origins(name: string): string[] {
    const raw = this.string(name);
    if (raw === undefined) return [];
    const origins: string[] = [];
    for (const entry of raw
      .split(',')
      .map((value) => value.trim())
      .filter((value) => value !== '')) {
      let origin: string | undefined;
      try {
        const url = new URL(entry);
        if ((url.protocol === 'http:' || url.protocol === 'https:') && url.origin === entry.replace(/\/$/, '')) origin = url.origin;
      } catch {
        // reported below
      }
      if (origin) origins.push(origin);
      else this.problems.push(`${name} must list origins such as https://app.example.com, separated by commas (got "${entry}")`);
    }
    return origins;
  }

  /** `off` (0) or a count of reverse proxies. */
  hops(name: string): number {
    const raw = this.string(name)?.toLowerCase();
    if (raw === undefined || ['off', 'false', 'no', '0'].includes(raw)) return 0;
    if (/^\d+$/.test(raw) && Number(raw) >= 1 && Number(raw) <= 10) return Number(raw);
    this.problems.push(
      `${name} must be "off" or the number of reverse proxies in front, 1 to 10 (got "${raw}")` +
        (['on', 'true', 'yes'].includes(raw) ? ': "on" would trust an address the client wrote itself; behind one proxy, say 1' : ''),
    );
    return 0;
  }

  oneOf<T extends string>(name: string, values: readonly T[], fallback: T): T {
    const raw = this.string(name)?.toLowerCase();
    if (raw === undefined) return fallback;
    if ((values as readonly string[]).includes(raw)) return raw as T;
    this.problems.push(`${name} must be one of ${values.join(', ')} (got "${raw}")`);
    return fallback;
  }

  url(name: string, protocols: string[]): string | undefined {
    const raw = this.string(name);
    if (raw === undefined) return undefined;
    try {
      const url = new URL(raw);
      if (!protocols.includes(url.protocol)) throw new Error('protocol');
      return raw;
    } catch {
      this.problems.push(`${name} must be a URL starting with ${protocols.map((p) => `${p}//`).join(' or ')} (got "${redact(raw)}")`);
      return undefined;
    }
  }
}

/**
 * Connections a process keeps to PostgreSQL by default: twice the machine's cores, shared among its processes, and
 * at least 4. PostgreSQL runs a process per connection, and a statement in flight keeps one busy; with more of them
 * running than the cores can hold, they only take turns. Every request of a sign-in is one short statement and no
 * request holds a connection while it waits, so on 2 cores a pool of 4 did 5-15 % more sign-ins a second than one of
 * 20, with 11-15 % less CPU in PostgreSQL, and a pool of 2 made requests queue (docs/benchmarks.md, sixth pass).
 */
export function defaultPoolSize(cores: number, workers: number): number {
  return Math.max(4, Math.ceil((2 * cores) / workers));
}

/** Never echo a password that sits inside a URL back into logs. */
function redact(url: string): string {
  return url.replace(/\/\/([^:@/]+):[^@/]*@/, '//$1:***@');
}

export function loadConfig(env: Env = process.env): AppConfig {
  const read = new Reader(env);
  const port = read.int('PORT', 3000, 0, 65535);
  const publicUrl = (read.url('PUBLIC_URL', ['http:', 'https:']) ?? `http://localhost:${port}`).replace(/\/+$/, '');
  const jwtSecret = read.string('JWT_SECRET');
  if (jwtSecret !== undefined && jwtSecret.length < 32) {
    read.problems.push('JWT_SECRET must be at least 32 characters (or unset, to generate one and keep it in the database)');
  }
  const adminUsername = read.string('ADMIN_USERNAME');
  const adminPassword = read.string('ADMIN_PASSWORD');
  if ((adminUsername === undefined) !== (adminPassword === undefined)) {
    read.problems.push('ADMIN_USERNAME and ADMIN_PASSWORD must be set together');
  }
  if (adminUsername !== undefined && !/^[a-z0-9._-]{3,64}$/.test(adminUsername)) {
    read.problems.push('ADMIN_USERNAME must be 3-64 characters of a-z, 0-9, ".", "_" and "-"');
  }
  if (adminPassword !== undefined && (adminPassword.length < 8 || adminPassword.length > 256)) {
    read.problems.push('ADMIN_PASSWORD must be 8-256 characters');
  }
  const metricsToken = read.string('METRICS_TOKEN');
  if (metricsToken !== undefined && (metricsToken.length < 16 || /\s/.test(metricsToken))) {
    read.problems.push('METRICS_TOKEN must be at least 16 characters without spaces (or unset: /metrics open to all)');
  }
  const qrTtlSeconds = read.int('QR_TTL_SECONDS', 120, 1, 3600);
  const workers = read.int('WORKERS', 1, 1, 64);
  const config: AppConfig = {
    port,
    databaseUrl: read.url('DATABASE_URL', ['postgres:', 'postgresql:']),
    databasePoolSize: read.int('DATABASE_POOL_SIZE', defaultPoolSize(availableParallelism(), workers), 1, 200),
    jwtSecret,
    publicUrl,
    corsOrigins: read.origins('CORS_ORIGINS'),
    dataDir: read.string('DATA_DIR') ?? '.data',
    qrTtlSeconds,
    qrAsyncCommit: read.onOff('QR_ASYNC_COMMIT', true),
    scanTicketTtlSeconds: read.int('SCAN_TICKET_TTL_SECONDS', 60, 1, 3600),
    accessTokenTtlSeconds: read.int('ACCESS_TOKEN_TTL_SECONDS', 30 * 24 * 3600, 60, 365 * 24 * 3600),
    expirySweepSeconds: read.int('EXPIRY_SWEEP_SECONDS', 10, 1, 3600),
    retentionDays: read.int('RETENTION_DAYS', 30, 1, 3650),
    retentionSweepSeconds: read.int('RETENTION_SWEEP_SECONDS', 3600, 1, 7 * 24 * 3600),
    socketRecheckSeconds: read.int('SOCKET_RECHECK_SECONDS', 15, 1, 3600),
    socketHandshakeTimeoutSeconds: read.int('SOCKET_HANDSHAKE_TIMEOUT_SECONDS', 10, 1, 120),
    adminUsername,
    adminPassword,
    redisUrl: read.url('REDIS_URL', ['redis:', 'rediss:']),
    workers,
    rateLimits: read.onOff('RATE_LIMITS', true),
    trustProxy: read.hops('TRUST_PROXY'),
    bodyLimitBytes: read.int('BODY_LIMIT_BYTES', 16 * 1024, 1024, 10 * 1024 * 1024),
    metricsToken,
    logFormat: read.oneOf('LOG_FORMAT', ['json', 'pretty'] as const, 'json'),
    logLevel: read.oneOf('LOG_LEVEL', ['fatal', 'error', 'warn', 'info', 'debug', 'trace', 'silent'] as const, 'info'),
    shutdownGraceSeconds: read.int('SHUTDOWN_GRACE_SECONDS', 10, 1, 600),
  };
  if (read.problems.length > 0) throw new ConfigError(read.problems);
  return config;
}
