import type { Logger } from '../../infra/log/logger';

/**
 * Resolves on the first SIGINT/SIGTERM so the caller can stop in order (workers drain, then the
 * servers stop). A second signal means "now": exit at once, which takes child servers down too.
 */
export function stopSignal(log: Logger): Promise<NodeJS.Signals> {
  return new Promise((resolve) => {
    let received = false;
    const onSignal = (signal: NodeJS.Signals) => {
      if (received) {
        log.warn('second stop signal: exiting without waiting');
        process.exit(130);
      }
      received = true;
      resolve(signal);
    };
    process.on('SIGINT', onSignal);
    process.on('SIGTERM', onSignal);
  });
}
