import { expandKeyTemplate, forecastTokens } from './key-template';
import { checkCycleSchedule, checkLookback, forecastHoursOf } from './model-schedule';
import type { ModelSource } from './sources';
import { DAY_MS, HOUR_MS, requireValidDate, startOfUtcDay, timeTokens } from './utc';

/** One forecast file a model should have published, and its inventory. */
export interface ExpectedModelFile {
  readonly key: string;
  readonly idxKey: string;
  /** The cycle (model run) time, UTC. */
  readonly cycle: Date;
  readonly forecastHour: number;
}

/**
 * The files of every cycle that started within the last `lookbackHours` (inclusive) and whose
 * delay has passed (cycle + delayHours ≤ now, inclusive), each cycle's forecast hours ascending,
 * cycles oldest first. Pure and deterministic in `now`, so a workflow can compute it from
 * workflow time and a re-run plans exactly the same keys.
 */
export function expectedModelFiles(source: ModelSource, now: Date, lookbackHours: number): ExpectedModelFile[] {
  requireValidDate(now, 'now');
  checkCycleSchedule(source);
  checkLookback(source, lookbackHours);
  const earliest = now.getTime() - lookbackHours * HOUR_MS;
  const latest = now.getTime() - source.schedule.delayHours * HOUR_MS;
  const cycleHours = [...new Set(source.schedule.cycles)].sort((a, b) => a - b);

  const files: ExpectedModelFile[] = [];
  // Whole UTC days from the one holding `earliest`: days have no DST in UTC, so +DAY_MS is exact,
  // and month, year and leap-day boundaries come out of Date.UTC.
  for (let day = startOfUtcDay(new Date(earliest)).getTime(); day <= latest; day += DAY_MS) {
    for (const hour of cycleHours) {
      const cycleMs = day + hour * HOUR_MS;
      if (cycleMs < earliest || cycleMs > latest) continue;
      const cycle = new Date(cycleMs);
      const time = timeTokens(cycle);
      for (const forecastHour of forecastHoursOf(source.schedule, hour)) {
        const key = expandKeyTemplate(source.keyTemplate, { ...time, ...forecastTokens(forecastHour) });
        files.push({ key, idxKey: key + source.indexSuffix, cycle, forecastHour });
      }
    }
  }
  return files;
}
