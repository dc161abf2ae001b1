/** A database URL as it may be shown: its password replaced. */
export function redactDatabaseUrl(url: string): string {
  try {
    const parsed = new URL(url);
    if (parsed.password) parsed.password = '***';
    return parsed.toString();
  } catch {
    return '(unparsable URL)';
  }
}

function codeOf(error: unknown): string | undefined {
  for (let e: unknown = error, depth = 0; e && depth < 4; depth++) {
    const candidate = e as { code?: unknown; errors?: unknown[]; driverError?: unknown; cause?: unknown };
    if (typeof candidate.code === 'string') return candidate.code;
    // Node reports a refused connection to every address of a name (::1 and 127.0.0.1) as one AggregateError.
    if (Array.isArray(candidate.errors) && candidate.errors.length > 0) e = candidate.errors[0];
    else e = candidate.driverError ?? candidate.cause;
  }
  return undefined;
}

/**
 * One line that says why the service could not use its database at start, naming where the address came from
 * (`DATABASE_URL`, or the embedded server) instead of a driver's stack trace or error object.
 */
export function describeDatabaseStartupError(error: unknown, url: string, source: 'DATABASE_URL' | 'embedded'): string {
  const where = source === 'DATABASE_URL' ? `DATABASE_URL (${redactDatabaseUrl(url)})` : `the embedded PostgreSQL (${redactDatabaseUrl(url)})`;
  const { hostname, port, username, pathname } = (() => {
    try {
      return new URL(url);
    } catch {
      return { hostname: '?', port: '', username: '?', pathname: '/?' };
    }
  })();
  const address = `${hostname}:${port || 5432}`;
  const database = decodeURIComponent(pathname.replace(/^\//, '')) || username;
  const message = (error as { message?: unknown } | null)?.message;
  const code = codeOf(error);
  switch (code) {
    case 'ECONNREFUSED':
      return `Cannot connect to ${where}: nothing accepts connections at ${address}. Is PostgreSQL running there?`;
    case 'ENOTFOUND':
    case 'EAI_AGAIN':
      return `Cannot connect to ${where}: the host "${hostname}" is unknown.`;
    case 'ETIMEDOUT':
    case 'EHOSTUNREACH':
    case 'ENETUNREACH':
      return `Cannot connect to ${where}: ${address} does not answer (${code}).`;
    case '28P01':
      return `Cannot connect to ${where}: PostgreSQL refused the password of the role "${decodeURIComponent(username)}".`;
    case '28000':
      return `Cannot connect to ${where}: PostgreSQL refused the role "${decodeURIComponent(username)}" (${String(message)}).`;
    case '3D000':
      return `Cannot connect to ${where}: the database "${database}" does not exist; create it (createdb ${database}) or fix the URL.`;
    case '42501':
      return `The role "${decodeURIComponent(username)}" of ${where} may not change the schema (${String(message)}): migrations need a role that owns the database.`;
    case '53300':
      return `Cannot connect to ${where}: the server has no free connection slots.`;
    case '57P01':
    case '57P02':
    case '57P03':
      return `Cannot use ${where}: the server is shutting down or starting up (${String(message)}).`;
  }
  if (typeof message === 'string' && /timeout/i.test(message)) return `Cannot connect to ${where}: ${address} did not answer in time.`;
  if (typeof message === 'string' && /SSL|TLS/i.test(message)) return `Cannot connect to ${where}: ${message}`;
  return `Cannot use ${where}: ${typeof message === 'string' ? message : String(error)}`;
}
