import { IngestPlanError } from './errors';
import type { CycleSchedule, ForecastHours, IngestSource, ModelSource } from './sources';

/**
 * Checks the schedule fields the file planners loop over. A step of 0 or a fractional cycle hour
 * would loop forever or produce keys that never exist, so they fail here, naming the source.
 */
export function checkCycleSchedule(source: ModelSource): void {
  const { cycles, forecastHours, extendedForecastHours, delayHours } = source.schedule;
  const fail = (problem: string) => {
    throw new IngestPlanError(`source ${source.id}: ${problem}`, 'Fix the schedule in the source definition.');
  };
  if (cycles.length === 0) fail('schedule.cycles is empty');
  for (const hour of cycles) if (!Number.isInteger(hour) || hour < 0 || hour > 23) fail(`cycle ${hour} is not a UTC hour 0-23`);
  checkForecastHours(forecastHours, fail);
  if (extendedForecastHours) {
    if (!Number.isInteger(extendedForecastHours.end) || extendedForecastHours.end < forecastHours.end) fail(`extendedForecastHours.end ${extendedForecastHours.end} is not an integer ≥ forecastHours.end`);
    for (const hour of extendedForecastHours.cycles) if (!cycles.includes(hour)) fail(`extended cycle ${hour} is not one of schedule.cycles`);
  }
  if (!Number.isFinite(delayHours) || delayHours < 0) fail(`delayHours ${delayHours} is not a number ≥ 0`);
}

function checkForecastHours({ start, end, step }: ForecastHours, fail: (problem: string) => void): void {
  if (!Number.isInteger(start) || start < 0) fail(`forecastHours.start ${start} is not an integer ≥ 0`);
  if (!Number.isInteger(end) || end < start) fail(`forecastHours.end ${end} is not an integer ≥ start`);
  if (!Number.isInteger(step) || step < 1) fail(`forecastHours.step ${step} is not an integer ≥ 1`);
}

/** The forecast hours one cycle writes, ascending. */
export function forecastHoursOf(schedule: CycleSchedule, cycleHour: number): number[] {
  const { start, step } = schedule.forecastHours;
  const extended = schedule.extendedForecastHours;
  const end = extended && extended.cycles.includes(cycleHour) ? extended.end : schedule.forecastHours.end;
  const hours: number[] = [];
  for (let hour = start; hour <= end; hour += step) hours.push(hour);
  return hours;
}

/**
 * A look-back must be a positive number of hours, and no longer than the retention: files older
 * than that would be purged as soon as they were ingested. This also bounds the size of a plan.
 */
export function checkLookback(source: IngestSource, lookbackHours: number): void {
  if (!Number.isFinite(lookbackHours) || lookbackHours <= 0 || lookbackHours > source.retentionHours) {
    throw new IngestPlanError(
      `source ${source.id}: look-back ${lookbackHours} h is not between 0 (exclusive) and the retention of ${source.retentionHours} h`,
      'Older files would be purged as soon as they were ingested; use a shorter look-back.',
    );
  }
}
