import pino, { type Logger } from 'pino';
import pretty from 'pino-pretty';

export interface LoggerOptions {
  /** `json`: one JSON object per line (for log shippers); `pretty`: coloured text for people. */
  format: 'json' | 'pretty';
  level: 'fatal' | 'error' | 'warn' | 'info' | 'debug' | 'trace' | 'silent';
}

/**
 * The process's root logger, writing to stdout. Synchronous writes: a line written just before the process exits (a
 * start failure, the end of a shutdown) is never lost, and one write per request costs microseconds.
 */
export function createLogger(options: LoggerOptions): Logger {
  const base = {
    level: options.level,
    base: { pid: process.pid },
    timestamp: pino.stdTimeFunctions.isoTime,
    formatters: { level: (label: string) => ({ level: label }) },
  };
  if (options.format === 'pretty') {
    return pino(base, pretty({ sync: true, colorize: process.stdout.isTTY === true, ignore: 'pid', translateTime: 'SYS:HH:MM:ss.l' }));
  }
  return pino(base, pino.destination({ dest: 1, sync: true }));
}

/** A logger that writes nothing (tests that build many apps). */
export function silentLogger(): Logger {
  return pino({ level: 'silent' });
}
