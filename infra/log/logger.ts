import pino, { type Logger, type LoggerOptions } from 'pino';

export type { Logger };

/**
 * Paths whose values never reach a log line. pino's redaction matches exact paths (with `*` for one
 * level), so each secret-bearing field of the config and of common error shapes is listed.
 */
export const REDACTED_PATHS = [
  'password',
  '*.password',
  '*.*.password',
  'secretAccessKey',
  '*.secretAccessKey',
  '*.*.secretAccessKey',
  '*.*.*.secretAccessKey',
  'apiKey',
  '*.apiKey',
  '*.*.apiKey',
  // Database URLs carry a password: postgres.url in the config, databaseUrl in code.
  'url',
  '*.url',
  '*.*.url',
  'databaseUrl',
  '*.databaseUrl',
  'connectionString',
  '*.connectionString',
  'headers.authorization',
  '*.headers.authorization',
];

export interface LoggerSettings {
  level: string;
  /** Human-readable output for a terminal; JSON lines otherwise. */
  pretty: boolean;
}

export function createLogger(settings: LoggerSettings, destination?: pino.DestinationStream): Logger {
  const options: LoggerOptions = {
    level: settings.level,
    redact: { paths: REDACTED_PATHS, censor: '[redacted]' },
    base: { pid: process.pid },
  };
  if (destination) return pino(options, destination);
  if (settings.pretty) {
    return pino({
      ...options,
      transport: {
        target: 'pino-pretty',
        options: { colorize: true, ignore: 'pid,hostname', translateTime: 'HH:MM:ss', destination: 2 },
      },
    });
  }
  // Synchronous writes. pino's asynchronous default flushes what is pending when the process exits,
  // and sonic-boom 4 (pino 10's) retries a failed write there forever: with stderr piped to a
  // reader that had gone (`sluice central 2>&1 | tee log`, then Ctrl-C), the process could not
  // stop. Written synchronously, a closed pipe fails the write at once and pino stops logging.
  // sluice logs a few lines per step, never per request, so nothing waits on these writes.
  return pino(options, pino.destination({ dest: 2, sync: true }));
}

/** Masks the password in a connection URL, for messages that must show where we connect. */
export function redactUrl(raw: string): string {
  try {
    const url = new URL(raw);
    if (url.password) url.password = 'redacted';
    return url.toString();
  } catch {
    return '[unparseable url]';
  }
}
