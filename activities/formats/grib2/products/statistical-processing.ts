import { readDateTime } from '../identification';
import type { Octets } from '../octets';
import { timeSpanOf, type TimeSpan } from './time-units';

/** Code table 4.10, what was done over the time range. */
const PROCESS_NAMES: Record<number, string> = {
  0: 'average',
  1: 'accumulation',
  2: 'maximum',
  3: 'minimum',
  4: 'difference (end minus start)',
  5: 'root mean square',
  6: 'standard deviation',
  7: 'covariance',
  8: 'difference (start minus end)',
  9: 'ratio',
  10: 'standardized anomaly',
  11: 'summation',
};

/** The abbreviation NCEP inventories put after the range: "0-6 hour acc fcst". */
const PROCESS_ABBREVIATIONS: Record<number, string> = { 0: 'ave', 1: 'acc', 2: 'max', 3: 'min' };

export interface TimeRange {
  /** Code table 4.10. */
  readonly process: number;
  /** Code table 4.11: how successive fields were taken (1: same reference time, forecast time grows). */
  readonly incrementType: number;
  readonly length: TimeSpan;
  /** 0 for a continuous process. */
  readonly increment: TimeSpan;
}

/** Octets 35 onwards of template 4.8: a field processed over a time interval. */
export interface StatisticalProcessing {
  /** Code table 4.10 of the first (outermost) time range, e.g. 1 accumulation. */
  readonly process: number;
  readonly processName: string;
  /** "acc", "ave", "max", "min", or the process name. */
  readonly processAbbreviation: string;
  /** End of the overall time interval, UTC. */
  readonly endTime: Date;
  readonly timeRanges: readonly TimeRange[];
  /** Values missing from the statistical process. */
  readonly missingInProcess: number;
}

export function readStatisticalProcessing(octets: Octets): StatisticalProcessing {
  octets.require(58, 'product template 4.8 (58 octets)');
  const count = octets.uint(42, 1);
  if (count === 0) octets.fail('template 4.8 gives no time range specification');
  octets.require(46 + 12 * count, `${count} time range specifications`);
  const timeRanges: TimeRange[] = [];
  for (let r = 0; r < count; r++) {
    const at = 47 + 12 * r;
    timeRanges.push({
      process: octets.uint(at, 1),
      incrementType: octets.uint(at + 1, 1),
      length: timeSpanOf(octets.uint(at + 3, 4), octets.uint(at + 2, 1)),
      increment: timeSpanOf(octets.uint(at + 8, 4), octets.uint(at + 7, 1)),
    });
  }
  const process = timeRanges[0]!.process;
  const processName = PROCESS_NAMES[process] ?? `process ${process}`;
  return {
    process,
    processName,
    processAbbreviation: PROCESS_ABBREVIATIONS[process] ?? processName,
    endTime: readDateTime(octets, 35),
    timeRanges,
    missingInProcess: octets.uint(43, 4),
  };
}
