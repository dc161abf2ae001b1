import { preparedQuery, statementName } from './prepared-query';

describe('preparedQuery', () => {
  it('names a text by its content: the same text is the same statement, another text another', () => {
    const text = 'SELECT id FROM qr_sessions WHERE id = $1';
    expect(statementName(text)).toMatch(/^qr_[0-9a-f]{24}$/);
    expect(statementName(text)).toBe(statementName(`SELECT id FROM qr_sessions WHERE id = $1`));
    expect(statementName(`${text} AND status = $2`)).not.toBe(statementName(text));
  });

  it('hands pg a fresh query config with the name, and the values beside it', async () => {
    const seen: unknown[][] = [];
    const executor = { query: (sql: unknown, values?: unknown[]) => (seen.push([sql, values]), Promise.resolve([{ id: 'a' }])) };
    const text = 'SELECT id FROM accounts WHERE id = $1';
    expect(await preparedQuery(executor, text, ['a'])).toEqual([{ id: 'a' }]);
    await preparedQuery(executor, text, ['b']);
    expect(seen[0]).toEqual([{ name: statementName(text), text }, ['a']]);
    // pg writes the values into the config object it is given: two calls must not share one.
    expect(seen[1][0]).not.toBe(seen[0][0]);
  });

  it('runs texts unnamed once too many distinct ones were seen (a text built from values would otherwise pile up)', async () => {
    for (let i = 0; i < 600; i++) statementName(`SELECT ${i}`);
    const seen: unknown[] = [];
    await preparedQuery({ query: (sql: unknown) => (seen.push(sql), Promise.resolve([])) }, 'SELECT 100000', []);
    expect(seen).toEqual(['SELECT 100000']);
  });
});
