import type { NestFastifyApplication } from '@nestjs/platform-fastify';
import { createServer, type AddressInfo } from 'node:net';
import request from 'supertest';
import { DataSource } from 'typeorm';
import { AppConfigService, loadConfig } from '@app/config';
import { QrSessionWaiters } from '@app/qr-sessions';
import { createApp } from '../../apps/api/src/create-app';
import { resolveJwtSecret } from '../../apps/api/src/runtime';
import { createTestDatabase, type TestDatabase } from './test-database';

export const TEST_PUBLIC_URL = 'http://qr.test';

export interface TestApp {
  app: NestFastifyApplication;
  /** Where the app listens, e.g. http://127.0.0.1:41234 (a free port). */
  url: string;
  config: AppConfigService;
  dataSource: DataSource;
  http(): ReturnType<typeof request>;
  close(): Promise<void>;
}

/**
 * Resolves once `count` long-poll requests are held by this app: each has read its session, found no change and now
 * waits for one, so a change made after this reaches it as a push. supertest sends nothing until a request is awaited
 * or `.then`-ed, so a test that means to race a held request must first know that it is held.
 */
export async function heldLongPolls(app: TestApp, count: number, timeoutMs = 5000): Promise<void> {
  const waiters = app.app.get(QrSessionWaiters);
  const deadline = Date.now() + timeoutMs;
  while (waiters.size < count) {
    if (Date.now() > deadline) throw new Error(`expected ${count} held long-poll(s), have ${waiters.size}`);
    await new Promise((resolve) => setTimeout(resolve, 10));
  }
}

/**
 * A port that was free a moment ago, for a test that must know its URL before the app starts (a PUBLIC_URL that
 * standard clients follow, e.g. OAuth discovery). Pass it as `PORT`.
 */
export function freePort(): Promise<number> {
  return new Promise((resolve, reject) => {
    const server = createServer();
    server.once('error', reject);
    server.listen(0, '127.0.0.1', () => {
      const { port } = server.address() as AddressInfo;
      server.close(() => resolve(port));
    });
  });
}

/**
 * The two ways a process's changes reach its own listeners, for `describe.each`: published on the bus (NOTIFY), whose
 * copy the process drops, and alone on its database (`npm start` on its embedded PostgreSQL), where the process's own
 * delivery is the only one.
 */
export const EVENT_PATHS: Array<[label: string, aloneOnDatabase: boolean]> = [
  ['changes published', false],
  ['alone on its database', true],
];

/**
 * The real application (the same `createApp` as `npm start`) on a free port (or on `env.PORT`), over a database of
 * its own. `env` takes the same variables as the service, e.g. `{ QR_TTL_SECONDS: '1' }`. `aloneOnDatabase` runs it as
 * `npm start` runs on its embedded database, the one process that can hear its changes (no NOTIFY for a session's
 * changes): only for an app whose database no other app of the test shares.
 */
export async function startTestApp(
  env: Record<string, string> = {},
  database?: TestDatabase,
  options: { aloneOnDatabase?: boolean } = {},
): Promise<TestApp> {
  const db = database ?? (await createTestDatabase());
  const base = loadConfig({ PUBLIC_URL: TEST_PUBLIC_URL, RATE_LIMITS: 'off', EXPIRY_SWEEP_SECONDS: '1', ...env });
  const config = new AppConfigService({
    ...base,
    databaseUrl: db.url,
    // As the service resolves it: JWT_SECRET, else the secret shared through the database.
    jwtSecret: await resolveJwtSecret(base, db.url),
    aloneOnDatabase: options.aloneOnDatabase ?? false,
  });
  // Silent, unless QR_TEST_LOGS=1 asks for the service's log lines (to see why a test failed).
  const app = await createApp(config, { logger: process.env.QR_TEST_LOGS ? undefined : false });
  await app.listen(env.PORT ? Number(env.PORT) : 0, '127.0.0.1');
  const url = (await app.getUrl()).replace('[::1]', '127.0.0.1');
  return {
    app,
    url,
    config,
    dataSource: app.get(DataSource),
    http: () => request(app.getHttpServer()),
    close: async () => {
      await app.close();
      if (!database) await db.drop();
    },
  };
}
