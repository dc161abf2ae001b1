import { createHash } from 'node:crypto';

/** What runs SQL: the DataSource, or an EntityManager inside a transaction. */
export interface SqlExecutor {
  query(sql: string, parameters?: unknown[]): Promise<unknown>;
}

/**
 * Distinct texts given names in this process. Statement texts are written in the code (built from constant parts,
 * never from values), so there are a few dozen; a text built from a value would be a new statement on every
 * connection, and past this many texts are run unnamed instead of growing without bound.
 */
const MAX_NAMED = 500;
const names = new Map<string, string>();

/** The statement name of a text: the same text has the same name on every connection and in every process. */
export function statementName(text: string): string | undefined {
  let name = names.get(text);
  if (name === undefined && names.size < MAX_NAMED) {
    name = `qr_${createHash('sha1').update(text).digest('hex').slice(0, 24)}`;
    names.set(text, name);
  }
  return name;
}

/**
 * Runs `text` as a named prepared statement. PostgreSQL parses and plans an unnamed statement on every call; a named
 * one is parsed once per connection (pg remembers which of its connections prepared which name) and, after a few
 * executions, reuses a generic plan. For the hot statements of a sign-in, long CTEs on primary keys, planning cost as
 * much as executing (docs/benchmarks.md).
 *
 * For statements on the request path only: a prepared statement lives as long as its connection, so behind a pooler
 * in transaction mode the pooler must support protocol-level prepared statements (PgBouncer 1.21 and later, with
 * `max_prepared_statements` set).
 */
export async function preparedQuery<T>(executor: SqlExecutor, text: string, values: unknown[]): Promise<T[]> {
  const name = statementName(text);
  // TypeORM hands its first argument to pg's `client.query` as it is, and pg takes a query config object there. A new
  // object every call: pg writes the values into the one it is given.
  const query = name === undefined ? text : ({ name, text } as unknown as string);
  return (await executor.query(query, values)) as T[];
}
