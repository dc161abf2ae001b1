import { Injectable } from '@nestjs/common';
import { DataSource, type EntityManager } from 'typeorm';

export interface OutboxMessage {
  id: string;
  channel: string;
  payload: unknown;
}

/** The `event_outbox` table: the Redis event bus's record of committed events not yet known to be published. */
@Injectable()
export class EventOutboxRepository {
  constructor(private readonly dataSource: DataSource) {}

  /** Adds a message inside the caller's transaction; answers its id. */
  async add(manager: EntityManager, channel: string, payload: unknown): Promise<string> {
    const rows: Array<{ id: string }> = await manager.query('INSERT INTO event_outbox (channel, payload) VALUES ($1, $2) RETURNING id', [
      channel,
      JSON.stringify(payload),
    ]);
    return String(rows[0].id);
  }

  /** Forgets messages that were published. */
  async remove(ids: readonly string[]): Promise<void> {
    if (ids.length > 0) await this.dataSource.query('DELETE FROM event_outbox WHERE id = ANY($1::bigint[])', [ids]);
  }

  /**
   * Takes up to `limit` messages older than `graceMs` (their process should have published them long ago), in id
   * order, and hands them to `publish`; they are deleted only if it succeeds. The rows stay locked meanwhile, and
   * other processes' sweeps skip them, so each left-behind message goes out from one sweep at a time.
   */
  async drainLeftBehind(graceMs: number, limit: number, publish: (messages: OutboxMessage[]) => Promise<void>): Promise<number> {
    return this.dataSource.transaction(async (manager) => {
      const rows: OutboxMessage[] = await manager.query(
        `SELECT id::text AS id, channel, payload FROM event_outbox
          WHERE created_at < now() - make_interval(secs => $1)
          ORDER BY id LIMIT $2 FOR UPDATE SKIP LOCKED`,
        [graceMs / 1000, limit],
      );
      if (rows.length === 0) return 0;
      await publish(rows);
      await manager.query('DELETE FROM event_outbox WHERE id = ANY($1::bigint[])', [rows.map((row) => row.id)]);
      return rows.length;
    });
  }
}
