import { GribUnsupportedError } from './errors';
import type { Octets } from './octets';
import { readLevel, type Level } from './products/levels';
import { parameterOf, type Parameter } from './products/parameters';
import { readStatisticalProcessing, type StatisticalProcessing } from './products/statistical-processing';
import { hoursOf, roundHours, timeSpanOf, type TimeSpan } from './products/time-units';

/** Section 4 for templates 4.0 (a field at a point in time) and 4.8 (processed over an interval). */
export interface Product {
  readonly template: 0 | 8;
  readonly parameter: Parameter;
  /** Code table 4.3 (0 analysis, 2 forecast…), then the centre's process numbers. */
  readonly generatingProcess: { readonly type: number; readonly background: number; readonly identifier: number };
  readonly level: Level;
  /** Octets 18–22 as written: for 4.8, the start of the interval. */
  readonly forecastTime: TimeSpan;
  /**
   * Hours from the reference time to the time the field is valid at: the forecast time for 4.0,
   * the end of the interval for 4.8 (like ecCodes' `step`: a 0–6 h accumulation is hour 6).
   * Undefined when the forecast time is in months or years, which have no fixed length.
   */
  readonly forecastHour: number | undefined;
  /** Like ecCodes' stepRange: "6" for 4.0, "0-6" for 4.8. */
  readonly stepRange: string;
  readonly validTime: Date | undefined;
  /** Template 4.8 only. */
  readonly statistics: (StatisticalProcessing & { readonly startHour: number | undefined; readonly endHour: number }) | undefined;
}

export function readProduct(octets: Octets, discipline: number, centre: number, referenceTime: Date): Product {
  octets.require(9, 'the product definition header (9 octets)');
  const template = octets.uint(8, 2);
  if (template !== 0 && template !== 8) throw new GribUnsupportedError(octets.where, `unsupported product definition template 4.${template}`);
  octets.require(34, `product template 4.${template} (34 octets)`);

  const forecastTime = timeSpanOf(octets.int(19, 4), octets.uint(18, 1));
  const startHour = hoursOf(forecastTime);
  const common = {
    parameter: parameterOf(discipline, octets.uint(10, 1), octets.uint(11, 1), centre),
    generatingProcess: { type: octets.uint(12, 1), background: octets.uint(13, 1), identifier: octets.uint(14, 1) },
    level: readLevel(octets),
    forecastTime,
  };
  if (template === 0) {
    return {
      template,
      ...common,
      forecastHour: startHour,
      stepRange: startHour === undefined ? '?' : String(startHour),
      validTime: startHour === undefined ? undefined : new Date(referenceTime.getTime() + startHour * 3_600_000),
      statistics: undefined,
    };
  }
  // The end of the interval is given as a date, so its hour is exact whatever the units.
  const processing = readStatisticalProcessing(octets);
  const endHour = roundHours((processing.endTime.getTime() - referenceTime.getTime()) / 3_600_000);
  return {
    template,
    ...common,
    forecastHour: endHour,
    stepRange: `${startHour ?? '?'}-${endHour}`,
    validTime: processing.endTime,
    statistics: { ...processing, startHour, endHour },
  };
}
