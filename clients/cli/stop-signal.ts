import type { Logger } from '../../infra/log/logger';

export interface StopSignal {
  /** Resolves on the first SIGINT, SIGTERM or SIGHUP. */
  readonly received: Promise<NodeJS.Signals>;
  requested(): boolean;
}

/**
 * npm forwards the terminal's Ctrl-C to the script it runs, so one keypress under `npm start` can
 * arrive twice a few milliseconds apart; only a repeat after this long means "exit now".
 */
const REPEAT_AFTER_MS = 1500;

/**
 * Listens for SIGINT/SIGTERM/SIGHUP (a closed terminal) so the caller can stop in order: workers
 * drain, then the servers stop. A signal during start-up is honoured once the current step is done.
 * Pressing Ctrl-C again means "now": exit at once, which takes child servers down too.
 */
export function stopSignal(log: Logger): StopSignal {
  let firstAt: number | undefined;
  const received = new Promise<NodeJS.Signals>((resolve) => {
    const onSignal = (signal: NodeJS.Signals) => {
      if (firstAt === undefined) {
        firstAt = Date.now();
        log.info(`${signal}: stopping after the current step (press Ctrl-C again to exit at once)`);
        resolve(signal);
      } else if (Date.now() - firstAt > REPEAT_AFTER_MS) {
        log.warn('second stop signal: exiting without waiting');
        process.exit(130);
      }
    };
    for (const signal of ['SIGINT', 'SIGTERM', 'SIGHUP'] as const) process.on(signal, onSignal);
  });
  return { received, requested: () => firstAt !== undefined };
}
