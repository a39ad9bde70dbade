/**
 * Heartbeats every `everyMs` while `work` runs: DuckDB and long Postgres statements run off the
 * event loop, so the activity's liveness must not depend on them reporting progress; a worker that
 * dies stops heartbeating, and Temporal hands the step to another one after the heartbeat timeout.
 */
export async function heartbeatWhile<T>(heartbeat: (details?: unknown) => void, work: Promise<T>, everyMs = 5_000, details?: () => unknown): Promise<T> {
  const timer = setInterval(() => heartbeat(details?.()), everyMs);
  try {
    return await work;
  } finally {
    clearInterval(timer);
  }
}
