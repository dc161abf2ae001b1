import { Injectable } from '@nestjs/common';
import { DataSource } from 'typeorm';
import { preparedQuery } from '@app/database';

/** A counter after a hit: the hits in its current window, this one included, and the seconds until that window ends. */
export interface CounterState {
  hits: number;
  resetInSeconds: number;
}

/** A counter row as {@link countHitSql} returns it. */
export interface CounterRow {
  hits: number;
  reset_in: number;
}

export const counterStateOf = (row: CounterRow): CounterState => ({ hits: row.hits, resetInSeconds: row.reset_in });

/**
 * The upsert that counts one hit on the fixed-window counter `key` of `windowSeconds` (both SQL expressions, usually
 * parameters): a counter whose window has ended starts a new one. Returns `hits` and `reset_in` ({@link CounterRow}).
 */
function countHitSql(key: string, windowSeconds: string): string {
  return `INSERT INTO rate_limit_counters AS counter (key, window_started_at, hits) VALUES (${key}, now(), 1)
       ON CONFLICT (key) DO UPDATE SET
         hits = CASE WHEN counter.window_started_at <= now() - make_interval(secs => ${windowSeconds}) THEN 1 ELSE counter.hits + 1 END,
         window_started_at = CASE WHEN counter.window_started_at <= now() - make_interval(secs => ${windowSeconds})
                                  THEN now() ELSE counter.window_started_at END
       RETURNING counter.hits,
                 EXTRACT(EPOCH FROM counter.window_started_at + make_interval(secs => ${windowSeconds}) - now())::float AS reset_in`;
}

/**
 * The common table expression `counted`: one hit counted on the counter `key` of `windowSeconds` (SQL expressions,
 * usually parameters), and its one row, `hits` and `reset_in` ({@link CounterRow}), for a statement that counts its
 * request while doing its own work. A statement that must not do that work past the limit requires
 * `counted.hits <= limit` where it does it.
 */
export function countedCte(key: string, windowSeconds: string): string {
  return `counted AS (${countHitSql(key, windowSeconds)})`;
}

/**
 * A read that also counts its request on a rate-limit counter, in one statement: `query.select`'s row (its columns,
 * null when it finds none) beside the counter's `hits` and `reset_in` ({@link CounterRow}), which there always are.
 * `query.with` holds common table expressions the select uses (data-modifying ones must be at the top level); `key`
 * and `windowSeconds` are SQL expressions, usually parameters.
 */
export function countingSql(query: { with?: string; select: string }, key: string, windowSeconds: string): string {
  return `WITH ${query.with ? `${query.with}, ` : ''}${countedCte(key, windowSeconds)}
  SELECT found.*, counted.hits, counted.reset_in FROM counted LEFT JOIN (${query.select}) found ON true`;
}

const COUNT_HIT = countHitSql('$1', '$2');

@Injectable()
export class RateLimitCountersRepository {
  constructor(private readonly dataSource: DataSource) {}

  /** Counts one hit on a counter; answers its state after it. */
  async countHit(key: string, windowSeconds: number): Promise<CounterState> {
    // A named prepared statement (parsed and planned once per connection): every limited request runs it, and
    // unnamed, its planning cost PostgreSQL as much CPU as running it (docs/benchmarks.md, "Rate limits on").
    const [row] = await preparedQuery<CounterRow>(this.dataSource, COUNT_HIT, [key, windowSeconds]);
    return counterStateOf(row);
  }

  /** Deletes the counters whose window started more than `seconds` ago (every window has ended by then). */
  async deleteOlderThan(seconds: number): Promise<void> {
    await this.dataSource.query(`DELETE FROM rate_limit_counters WHERE window_started_at < now() - make_interval(secs => $1)`, [seconds]);
  }
}
