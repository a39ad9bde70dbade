import type { Pool } from 'pg';
import { forecastHoursOf } from './model-schedule';
import type { IngestSource } from './sources';

export interface CycleStatus {
  /** ISO */
  readonly cycle: string;
  readonly expected: number;
  readonly present: number;
  readonly complete: boolean;
}

/**
 * Brings weather_cycles up to date for the given cycles. A model cycle is complete when the
 * catalog holds every configured parameter at every forecast hour the cycle writes; an
 * observation hour when it is closed and every file the listing held for it is ingested.
 * `completed_at` records the first time a cycle was seen complete.
 */
export async function updateCycleCompleteness(pool: Pool, source: IngestSource, cycles: readonly string[], observedPerHour: Readonly<Record<string, number>>): Promise<CycleStatus[]> {
  const statuses: CycleStatus[] = [];
  for (const cycle of cycles) {
    const counts = source.kind === 'model' ? await modelCounts(pool, source, cycle) : await observationCounts(pool, source.id, cycle, observedPerHour[cycle]);
    if (counts.expected === undefined) continue;
    const complete = counts.expected > 0 && counts.present >= counts.expected;
    await pool.query(
      `INSERT INTO weather_cycles (source, cycle, expected, present, complete, completed_at, updated_at)
       VALUES ($1, $2, $3, $4, $5, CASE WHEN $5 THEN now() END, now())
       ON CONFLICT (source, cycle) DO UPDATE SET expected = EXCLUDED.expected, present = EXCLUDED.present, complete = EXCLUDED.complete,
         completed_at = COALESCE(weather_cycles.completed_at, EXCLUDED.completed_at), updated_at = now()`,
      [source.id, cycle, counts.expected, counts.present, complete],
    );
    statuses.push({ cycle, expected: counts.expected, present: counts.present, complete });
  }
  return statuses;
}

async function modelCounts(pool: Pool, source: Extract<IngestSource, { kind: 'model' }>, cycle: string): Promise<{ expected: number; present: number }> {
  const wanted = [...new Map(source.parameters.map((p) => [`${p.shortName}\u0000${p.level}`, p])).values()];
  const hours = forecastHoursOf(source.schedule, new Date(cycle).getUTCHours());
  const { rows } = await pool.query<{ present: string }>(
    `SELECT count(*) AS present FROM (
       SELECT DISTINCT f.parameter, f.level, f.forecast_hour FROM weather_fields f
       JOIN unnest($3::text[], $4::text[]) AS w(parameter, level) ON w.parameter = f.parameter AND w.level = f.level
       WHERE f.source = $1 AND f.cycle = $2 AND f.forecast_hour = ANY($5::int[])) fields`,
    [source.id, cycle, wanted.map((p) => p.shortName), wanted.map((p) => p.level), hours],
  );
  return { expected: hours.length * wanted.length, present: Number(rows[0]!.present) };
}

async function observationCounts(pool: Pool, source: string, cycle: string, observed: number | undefined): Promise<{ expected: number | undefined; present: number }> {
  const { rows } = await pool.query<{ present: string; expected: number | null }>(
    `SELECT (SELECT count(*) FROM ingest_state WHERE source = $1 AND cycle = $2 AND status = 'ingested') AS present,
            (SELECT expected FROM weather_cycles WHERE source = $1 AND cycle = $2) AS expected`,
    [source, cycle],
  );
  // An hour still open has no expected count yet; one closed earlier keeps the count it had.
  return { expected: observed ?? rows[0]!.expected ?? undefined, present: Number(rows[0]!.present) };
}
