import { availableParallelism } from 'node:os';
import { ConfigError, defaultPoolSize, loadConfig } from './app-config';

describe('loadConfig', () => {
  it('answers the contract defaults for an empty environment', () => {
    const config = loadConfig({});
    expect(config).toMatchObject({
      port: 3000,
      databaseUrl: undefined,
      jwtSecret: undefined,
      publicUrl: 'http://localhost:3000',
      dataDir: '.data',
      qrTtlSeconds: 120,
      scanTicketTtlSeconds: 60,
      rateLimits: true,
      redisUrl: undefined,
      workers: 1,
    });
  });

  it('derives PUBLIC_URL from PORT and trims a trailing slash from an explicit one', () => {
    expect(loadConfig({ PORT: '8080' }).publicUrl).toBe('http://localhost:8080');
    expect(loadConfig({ PUBLIC_URL: 'https://login.example.com/' }).publicUrl).toBe('https://login.example.com');
  });

  it('reports every bad value at once, naming the variable', () => {
    let error: unknown;
    try {
      loadConfig({
        PORT: 'eighty',
        QR_TTL_SECONDS: '0',
        DATABASE_URL: 'mysql://root:hunter2@db/x',
        JWT_SECRET: 'short',
        RATE_LIMITS: 'maybe',
        ADMIN_USERNAME: 'root',
      });
    } catch (caught) {
      error = caught;
    }
    expect(error).toBeInstanceOf(ConfigError);
    const problems = (error as ConfigError).problems.join('\n');
    expect(problems).toMatch(/PORT must be a whole number/);
    expect(problems).toMatch(/QR_TTL_SECONDS must be a whole number from 1/);
    expect(problems).toMatch(/DATABASE_URL must be a URL starting with postgres:/);
    expect(problems).toMatch(/JWT_SECRET must be at least 32 characters/);
    expect(problems).toMatch(/RATE_LIMITS must be "on" or "off"/);
    expect(problems).toMatch(/ADMIN_USERNAME and ADMIN_PASSWORD must be set together/);
    expect(problems).not.toContain('hunter2');
  });

  it('reads RATE_LIMITS=off', () => {
    expect(loadConfig({ RATE_LIMITS: 'off' }).rateLimits).toBe(false);
  });

  it('commits a new session and a scan asynchronously unless QR_ASYNC_COMMIT=off', () => {
    expect(loadConfig({}).qrAsyncCommit).toBe(true);
    expect(loadConfig({ QR_ASYNC_COMMIT: 'off' }).qrAsyncCommit).toBe(false);
    expect(() => loadConfig({ QR_ASYNC_COMMIT: 'later' })).toThrow(/QR_ASYNC_COMMIT must be "on" or "off"/);
  });

  it('reads CORS_ORIGINS as a list of origins, refusing anything with a path or another scheme', () => {
    expect(loadConfig({}).corsOrigins).toEqual([]);
    expect(loadConfig({ CORS_ORIGINS: 'https://app.example.com, http://localhost:5173/' }).corsOrigins).toEqual([
      'https://app.example.com',
      'http://localhost:5173',
    ]);
    expect(() => loadConfig({ CORS_ORIGINS: 'https://app.example.com/login,*' })).toThrow(
      /CORS_ORIGINS must list origins.*"https:\/\/app.example.com\/login".*\n.*"\*"/s,
    );
  });

  it('keeps twice the cores in connections by default, shared among the workers and at least 4; DATABASE_POOL_SIZE sets it', () => {
    expect(defaultPoolSize(2, 1)).toBe(4);
    expect(defaultPoolSize(8, 1)).toBe(16);
    expect(defaultPoolSize(8, 4)).toBe(4);
    expect(defaultPoolSize(16, 3)).toBe(11);
    expect(defaultPoolSize(1, 8)).toBe(4);
    expect(loadConfig({}).databasePoolSize).toBe(defaultPoolSize(availableParallelism(), 1));
    expect(loadConfig({ WORKERS: '64' }).databasePoolSize).toBe(4);
    expect(loadConfig({ DATABASE_POOL_SIZE: '25' }).databasePoolSize).toBe(25);
    expect(() => loadConfig({ DATABASE_POOL_SIZE: '0' })).toThrow(/DATABASE_POOL_SIZE must be a whole number from 1 to 200/);
  });

  it('reads WORKERS and REDIS_URL, refusing what cannot work', () => {
    expect(loadConfig({ WORKERS: '3', REDIS_URL: 'redis://127.0.0.1:6379/0' })).toMatchObject({ workers: 3, redisUrl: 'redis://127.0.0.1:6379/0' });
    expect(() => loadConfig({ WORKERS: '0' })).toThrow(/WORKERS must be a whole number from 1 to 64/);
    expect(() => loadConfig({ REDIS_URL: 'http://redis:secret@cache' })).toThrow(/REDIS_URL must be a URL starting with redis:/);
  });

  it('reads TRUST_PROXY as off or a count of proxies, and refuses "on" with a hint', () => {
    expect(loadConfig({}).trustProxy).toBe(0);
    expect(loadConfig({ TRUST_PROXY: 'off' }).trustProxy).toBe(0);
    expect(loadConfig({ TRUST_PROXY: '2' }).trustProxy).toBe(2);
    expect(() => loadConfig({ TRUST_PROXY: 'on' })).toThrow(/TRUST_PROXY must be "off" or the number of reverse proxies.*say 1/);
    expect(() => loadConfig({ TRUST_PROXY: '-1' })).toThrow(/TRUST_PROXY/);
  });
});
