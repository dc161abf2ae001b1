import { isDatabaseUnavailable, isInvalidInput, violatesConstraint } from './database-errors';

/** How TypeORM wraps a pg error: a QueryFailedError whose `driverError` carries PostgreSQL's SQLSTATE. */
const queryFailed = (code: string) => Object.assign(new Error('query failed'), { driverError: Object.assign(new Error('pg'), { code }) });

describe('database errors', () => {
  it.each([
    ['08006', 'a lost connection'],
    ['57P01', 'a server shutting down'],
    ['40P01', 'a deadlock victim'],
    ['40001', 'a serialization failure'],
  ])('answers %s (%s) as unavailable: the client retries', (code) => {
    expect(isDatabaseUnavailable(queryFailed(code))).toBe(true);
    expect(isInvalidInput(queryFailed(code))).toBe(false);
  });

  it('answers a data exception as bad input, and a constraint violation as neither', () => {
    expect(isInvalidInput(queryFailed('22P02'))).toBe(true);
    expect(isDatabaseUnavailable(queryFailed('22P02'))).toBe(false);
    expect(isDatabaseUnavailable(queryFailed('23503'))).toBe(false);
    expect(isInvalidInput(queryFailed('23503'))).toBe(false);
  });

  it('tells a violation of one named constraint, wrapped by TypeORM or straight from pg', () => {
    const fk = Object.assign(new Error('pg'), { code: '23503', constraint: 'fk_a' });
    expect(violatesConstraint(Object.assign(new Error('query failed'), { driverError: fk }), '23503', 'fk_a')).toBe(true);
    expect(violatesConstraint(fk, '23503', 'fk_a')).toBe(true);
    expect(violatesConstraint(fk, '23503', 'fk_b')).toBe(false);
    expect(violatesConstraint(fk, '23505', 'fk_a')).toBe(false);
    expect(violatesConstraint(null, '23505', 'fk_a')).toBe(false);
  });

  it('reads a connection error from its message when it has no code', () => {
    expect(isDatabaseUnavailable(new Error('Connection terminated unexpectedly'))).toBe(true);
    expect(isDatabaseUnavailable(new Error('something else'))).toBe(false);
  });
});
