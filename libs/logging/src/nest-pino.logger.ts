import type { LoggerService } from '@nestjs/common';
import type { Logger } from 'pino';

/**
 * Nest's own account of its start: a line per module loaded, per controller and per route mapped (some 60, whose
 * path prefixes do not show the routes kept outside `/api`). Worth reading while developing, at `LOG_LEVEL=debug`; at
 * `info` an operator sees the service's own lines.
 */
const NEST_START_CONTEXTS = new Set(['InstanceLoader', 'RoutesResolver', 'RouterExplorer', 'WebSocketsController']);

/**
 * Nest's logger interface on pino: every `new Logger(Context)` of the code writes one line with `context` as a field.
 * Nest passes (message, context) or, for errors, (message, stack, context).
 */
export class NestPinoLogger implements LoggerService {
  constructor(private readonly logger: Logger) {}

  log(message: unknown, ...rest: unknown[]): void {
    const context = rest.at(-1);
    this.write(typeof context === 'string' && NEST_START_CONTEXTS.has(context) ? 'debug' : 'info', message, rest);
  }

  warn(message: unknown, ...rest: unknown[]): void {
    this.write('warn', message, rest);
  }

  error(message: unknown, ...rest: unknown[]): void {
    const context = rest.length > 1 ? rest.at(-1) : typeof rest[0] === 'string' && !rest[0].includes('\n') ? rest[0] : undefined;
    const stack = rest.length > 1 ? rest[0] : typeof rest[0] === 'string' && rest[0].includes('\n') ? rest[0] : undefined;
    this.logger.error({ context, ...(typeof stack === 'string' ? { stack } : {}) }, text(message));
  }

  fatal(message: unknown, ...rest: unknown[]): void {
    this.write('fatal', message, rest);
  }

  debug(message: unknown, ...rest: unknown[]): void {
    this.write('debug', message, rest);
  }

  verbose(message: unknown, ...rest: unknown[]): void {
    this.write('trace', message, rest);
  }

  private write(level: 'info' | 'warn' | 'fatal' | 'debug' | 'trace', message: unknown, rest: unknown[]): void {
    const context = typeof rest.at(-1) === 'string' ? (rest.at(-1) as string) : undefined;
    this.logger[level]({ context }, text(message));
  }
}

function text(message: unknown): string {
  if (typeof message === 'string') return message;
  if (message instanceof Error) return message.message;
  return JSON.stringify(message);
}
