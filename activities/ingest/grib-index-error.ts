import { UserError } from '../../infra/errors/user-error';
import type { GribParameter } from './sources';

/**
 * A .idx inventory that cannot be trusted to locate messages: a wrong offset would fetch the wrong
 * bytes, which the GRIB reader may decode as the wrong field. It is bad input, not a transient
 * failure, so it extends UserError and an activity fails at once without retries.
 */
export class GribIndexError extends UserError {
  override name = 'GribIndexError';

  constructor(
    /** What is wrong, without the location (it is prefixed). */
    readonly problem: string,
    /** 1-based line of the inventory, when one line is at fault. */
    readonly line?: number,
    /** The inventory's name, e.g. its S3 key. */
    readonly source = 'GRIB index',
    /** The wanted parameters the inventory does not list. */
    readonly missing: readonly GribParameter[] = [],
    hint = 'Download the .idx again; if it stays wrong, fetch the whole GRIB2 file instead of byte ranges.',
  ) {
    super(`${source}${line === undefined ? '' : ` line ${line}`}: ${problem}`, hint);
  }
}
