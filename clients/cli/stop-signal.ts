import type { Logger } from '../../infra/log/logger';

export interface StopSignal {
  /** Resolves on the first SIGINT, SIGTERM or SIGHUP, or when the output's reader has gone. */
  readonly received: Promise<string>;
  requested(): boolean;
}

/**
 * npm forwards the terminal's Ctrl-C to the script it runs, so one keypress under `npm start` can
 * arrive twice a few milliseconds apart; only a repeat after this long means "exit now".
 */
const REPEAT_AFTER_MS = 1500;

/** The stop of each command waiting for one (stopSignal), told why. */
const waiting = new Set<(why: string) => void>();

/**
 * Listens for SIGINT/SIGTERM/SIGHUP (a closed terminal) so the caller can stop in order: workers
 * drain, then the servers stop. A signal during start-up is honoured once the current step is done.
 * Pressing Ctrl-C again means "now": exit at once, which takes child servers down too.
 */
export function stopSignal(log: Logger): StopSignal {
  let firstAt: number | undefined;
  const received = new Promise<string>((resolve) => {
    const stop = (why: string) => {
      if (firstAt === undefined) {
        firstAt = Date.now();
        log.info(`${why}: stopping after the current step (press Ctrl-C again to exit at once)`);
        resolve(why);
      } else if (Date.now() - firstAt > REPEAT_AFTER_MS) {
        log.warn('second stop signal: exiting without waiting');
        process.exit(130);
      }
    };
    waiting.add(stop);
    for (const signal of ['SIGINT', 'SIGTERM', 'SIGHUP'] as const) process.on(signal, stop);
  });
  return { received, requested: () => firstAt !== undefined };
}

/**
 * A reader that stops reading the output (`sluice events tail -f | head -3`, a tee ended by the
 * same Ctrl-C) is no error. A command waiting for a stop signal stops as on Ctrl-C, in order;
 * any other ends at once, quietly, with the status a shell gives a command whose reader went
 * away (128 + SIGPIPE), not with an EPIPE stack trace.
 */
export function stopWhenOutputCloses(output: NodeJS.WritableStream = process.stdout): void {
  let closed = false;
  output.on('error', (err: NodeJS.ErrnoException) => {
    if (err.code !== 'EPIPE') throw err;
    if (closed) return;
    closed = true;
    if (waiting.size === 0) process.exit(128 + 13);
    for (const stop of waiting) stop('output closed');
  });
}
