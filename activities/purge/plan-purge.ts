import type { Pool } from 'pg';
import type { IngestSource } from '../ingest/sources';

export interface ExpiredCycle {
  readonly source: string;
  /** ISO */
  readonly cycle: string;
  /** Catalogued objects in the cycle and their bytes (orphans are found and counted when deleting). */
  readonly files: number;
  readonly bytes: number;
}

export interface SourcePurgePlan {
  readonly source: string;
  readonly retentionHours: number;
  /** ISO: cycles before this are expired. */
  readonly cutoff: string;
  /** Expired by age but kept: the newest complete cycles, so a stalled feed never empties the catalog. */
  readonly keptComplete: string[];
  readonly expired: ExpiredCycle[];
}

export interface PurgePlan {
  readonly now: string;
  readonly keepCompleteCycles: number;
  readonly sources: SourcePurgePlan[];
  readonly totals: { readonly cycles: number; readonly files: number; readonly bytes: number };
}

/**
 * What a purge would remove as of `now`: per source, every cycle older than its retention, except
 * the newest `keepCompleteCycles` complete ones. Cycles are taken from the catalog, ingest_state
 * and weather_cycles together, so a cycle with only quarantined files or stale state goes too.
 */
export async function planPurge(pool: Pool, sources: readonly IngestSource[], now: Date, keepCompleteCycles: number): Promise<PurgePlan> {
  const plans: SourcePurgePlan[] = [];
  for (const source of sources) {
    const cutoff = new Date(now.getTime() - source.retentionHours * 3_600_000);
    const { rows: kept } = await pool.query<{ cycle: Date }>(
      'SELECT cycle FROM weather_cycles WHERE source = $1 AND complete ORDER BY cycle DESC LIMIT $2',
      [source.id, keepCompleteCycles],
    );
    const keep = kept.map((row) => row.cycle.toISOString());
    const { rows } = await pool.query<{ cycle: Date; files: string; bytes: string }>(
      `SELECT c.cycle, count(f.storage_key) AS files, coalesce(sum(f.size), 0) AS bytes
       FROM (SELECT cycle FROM weather_fields WHERE source = $1 AND cycle < $2
             UNION SELECT cycle FROM ingest_state WHERE source = $1 AND cycle < $2
             UNION SELECT cycle FROM weather_cycles WHERE source = $1 AND cycle < $2) c
       LEFT JOIN weather_fields f ON f.source = $1 AND f.cycle = c.cycle
       GROUP BY c.cycle ORDER BY c.cycle`,
      [source.id, cutoff],
    );
    const expired = rows
      .map((row) => ({ source: source.id, cycle: row.cycle.toISOString(), files: Number(row.files), bytes: Number(row.bytes) }))
      .filter((cycle) => !keep.includes(cycle.cycle));
    plans.push({ source: source.id, retentionHours: source.retentionHours, cutoff: cutoff.toISOString(), keptComplete: keep.filter((cycle) => cycle < cutoff.toISOString()), expired });
  }
  const all = plans.flatMap((plan) => plan.expired);
  return {
    now: now.toISOString(),
    keepCompleteCycles,
    sources: plans,
    totals: { cycles: all.length, files: all.reduce((sum, c) => sum + c.files, 0), bytes: all.reduce((sum, c) => sum + c.bytes, 0) },
  };
}
