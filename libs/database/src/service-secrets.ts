import { randomBytes } from 'node:crypto';
import pg from 'pg';

/**
 * The shared secret `name`: created with `candidate()` by the first process that asks, read by every other one
 * (INSERT ... ON CONFLICT DO NOTHING, then SELECT, so concurrent first starts agree too).
 */
export async function sharedSecret(
  databaseUrl: string,
  name: string,
  candidate: () => string = () => randomBytes(48).toString('base64url'),
): Promise<{ value: string; created: boolean }> {
  const client = new pg.Client({ connectionString: databaseUrl, application_name: 'qr-login-secrets' });
  await client.connect();
  try {
    const inserted = await client.query('INSERT INTO service_secrets (name, value) VALUES ($1, $2) ON CONFLICT (name) DO NOTHING', [
      name,
      candidate(),
    ]);
    const { rows } = await client.query<{ value: string }>('SELECT value FROM service_secrets WHERE name = $1', [name]);
    return { value: rows[0].value, created: inserted.rowCount === 1 };
  } finally {
    await client.end();
  }
}
