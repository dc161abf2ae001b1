import pg from 'pg';
import type { AppConfigService } from '@app/config';
import { createTestDatabase, type TestDatabase } from '../../../test/support/test-database';
import { PgEventBus } from './pg-event-bus';

/** The LISTEN connection is one pg client: pg wants one query in flight on it (pg 9 will refuse more). */
describe('PgEventBus on a real PostgreSQL', () => {
  let db: TestDatabase;
  let bus: PgEventBus;
  const query = pg.Client.prototype.query;
  let inFlight = 0;
  let mostInFlight = 0;

  beforeAll(async () => {
    db = await createTestDatabase({ empty: true });
    pg.Client.prototype.query = function (this: pg.Client, ...args: unknown[]) {
      inFlight += 1;
      mostInFlight = Math.max(mostInFlight, inFlight);
      const result = (query as (...a: unknown[]) => Promise<unknown>).apply(this, args);
      void Promise.resolve(result)
        .finally(() => (inFlight -= 1))
        .catch(() => undefined);
      return result;
    } as typeof query;
    bus = new PgEventBus({ databaseUrl: db.url } as AppConfigService);
    await bus.onModuleInit();
  });
  afterAll(async () => {
    pg.Client.prototype.query = query;
    await bus?.onModuleDestroy();
    await db?.drop();
  });

  it('listens to channels subscribed together one LISTEN at a time, and hears each of them', async () => {
    const heard: string[] = [];
    const channels = ['first_channel', 'second_channel', 'third_channel'];
    for (const channel of channels) bus.subscribe(channel, (payload) => heard.push(`${channel}:${String(payload)}`));
    const arrived = new Promise<void>((resolve) => bus.subscribe('third_channel', () => resolve()));

    const publisher = new pg.Client({ connectionString: db.url });
    await publisher.connect();
    try {
      // The LISTENs are queued behind each other: once the last has run, every channel is heard.
      await new Promise((resolve) => setTimeout(resolve, 0));
      await waitFor(() => inFlight === 0);
      for (const channel of channels) await publisher.query('SELECT pg_notify($1, $2)', [channel, '"hello"']);
      await arrived;
    } finally {
      await publisher.end();
    }
    expect(mostInFlight).toBe(1);
    expect(heard.sort()).toEqual(channels.map((channel) => `${channel}:hello`).sort());
  });
});

async function waitFor(condition: () => boolean): Promise<void> {
  while (!condition()) await new Promise((resolve) => setTimeout(resolve, 5));
}
