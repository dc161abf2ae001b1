/**
 * Tells whether an error means "the database cannot serve this request right now" (as opposed to a bug or bad input),
 * so that callers answer 503 and clients retry: it is unreachable, or the statement gave way to a concurrent one.
 */
const CONNECTION_ERROR_CODES = new Set([
  'ECONNREFUSED',
  'ECONNRESET',
  'ENOTFOUND',
  'ETIMEDOUT',
  'EPIPE',
  'EHOSTUNREACH',
  '57P01', // admin_shutdown
  '57P02', // crash_shutdown
  '57P03', // cannot_connect_now
  '08000', // connection_exception
  '08001',
  '08003',
  '08004',
  '08006',
  '53300', // too_many_connections
  // A statement chosen to give way to a concurrent one: the same request succeeds when retried. Two confirmations of
  // one account, each by a phone that a desktop of the other claims, can lock each other's device rows (both refused).
  '40P01', // deadlock_detected
  '40001', // serialization_failure
]);

const CONNECTION_MESSAGES = [
  'Connection terminated',
  'connection timeout',
  'timeout exceeded when trying to connect',
  'Client has encountered a connection error',
  'Connection is not established',
];

/**
 * PostgreSQL's class 22 (data exception: a NUL byte in text, a malformed address, a value out of range) means the
 * input was bad, not the server: callers answer 400.
 */
export function isInvalidInput(error: unknown): boolean {
  const code = driverErrorOf(error)?.code;
  return typeof code === 'string' && code.startsWith('22');
}

/**
 * Whether PostgreSQL refused a statement for one named constraint: SQLSTATE 23505 (unique) or 23503 (foreign key).
 * Repositories wrap it in a predicate that names what it means (a user code drawn twice, a device claimed), so that
 * constraint names stay with the SQL.
 */
export function violatesConstraint(error: unknown, sqlState: '23503' | '23505', constraint: string): boolean {
  const driverError = driverErrorOf(error);
  return driverError?.code === sqlState && driverError.constraint === constraint;
}

/** pg's error: TypeORM's QueryFailedError carries it as `driverError`; a query straight on pg throws it as it is. */
function driverErrorOf(error: unknown): { code?: unknown; constraint?: unknown } | undefined {
  if (error === null || typeof error !== 'object') return undefined;
  return (error as { driverError?: { code?: unknown; constraint?: unknown } }).driverError ?? (error as { code?: unknown; constraint?: unknown });
}

export function isDatabaseUnavailable(error: unknown): boolean {
  for (let e: unknown = error, depth = 0; e && depth < 4; depth++) {
    const candidate = e as { code?: unknown; message?: unknown; driverError?: unknown; cause?: unknown };
    if (typeof candidate.code === 'string' && CONNECTION_ERROR_CODES.has(candidate.code)) return true;
    if (typeof candidate.message === 'string' && CONNECTION_MESSAGES.some((m) => (candidate.message as string).includes(m))) {
      return true;
    }
    e = candidate.driverError ?? candidate.cause;
  }
  return false;
}
