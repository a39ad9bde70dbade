import { DefaultLogger, Runtime, type LogLevel } from '@temporalio/worker';
import type { Logger } from '../infra/log/logger';

let installed = false;

// The SDK is chatty at INFO (worker state changes, the whole webpack report); its INFO lines go
// to debug, so a normal run shows sluice's own lines and the SDK's warnings and errors.
const SDK_LEVEL: Record<string, LogLevel> = { trace: 'TRACE', debug: 'DEBUG', info: 'WARN', warn: 'WARN', error: 'ERROR', fatal: 'ERROR' };
/** Warnings that are expected by design: control workers have no activities, the others no workflows. */
const EXPECTED = /^No (activities|workflows|Nexus services) registered/;

/**
 * Routes the Temporal SDK's logs through pino, and leaves signal handling to sluice so that a stop
 * can drain workers before the servers they talk to go down. Once per process.
 */
export function installRuntime(log: Logger): void {
  if (installed) return;
  installed = true;
  const sdkLog = log.child({ component: 'temporal-sdk' });
  Runtime.install({
    logger: new DefaultLogger(SDK_LEVEL[log.level] ?? 'INFO', ({ level, message, meta }) => {
      const method = EXPECTED.test(message) || level === 'INFO' || level === 'DEBUG' ? 'debug' : level === 'TRACE' ? 'trace' : level === 'WARN' ? 'warn' : 'error';
      sdkLog[method](plainErrors(meta ?? {}), message);
    }),
    shutdownSignals: [],
  });
}

/** Error fields in SDK log metadata lose their message when serialised as plain objects. */
function plainErrors(meta: Record<string, unknown>): Record<string, unknown> {
  const out: Record<string, unknown> = {};
  for (const [key, value] of Object.entries(meta)) {
    out[key] = value instanceof Error ? { type: value.name, message: value.message, ...(value.cause instanceof Error ? { cause: value.cause.message } : {}) } : value;
  }
  return out;
}
