import type { Logger } from '../../infra/log/logger';

export interface StopSignal {
  /** Resolves on the first SIGINT/SIGTERM. */
  readonly received: Promise<NodeJS.Signals>;
  requested(): boolean;
}

/**
 * Listens for SIGINT/SIGTERM so the caller can stop in order (workers drain, then the servers
 * stop). A signal during start-up is honoured once the current step is done. A second signal means
 * "now": exit at once, which takes child servers down too.
 */
export function stopSignal(log: Logger): StopSignal {
  let requested = false;
  const received = new Promise<NodeJS.Signals>((resolve) => {
    const onSignal = (signal: NodeJS.Signals) => {
      if (requested) {
        log.warn('second stop signal: exiting without waiting');
        process.exit(130);
      }
      requested = true;
      log.info(`${signal}: stopping after the current step (send it again to exit at once)`);
      resolve(signal);
    };
    process.on('SIGINT', onSignal);
    process.on('SIGTERM', onSignal);
  });
  return { received, requested: () => requested };
}
