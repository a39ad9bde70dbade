import { UserError } from '../../infra/errors/user-error';

/**
 * An S3 key that does not have the shape of the source's files. Listings of NOAA's buckets can hold
 * files of other products or new naming schemes; the caller decides whether to skip or stop, so
 * this names the key and the part that did not match instead of returning undefined.
 */
export class IngestKeyError extends UserError {
  override name = 'IngestKeyError';

  constructor(
    readonly key: string,
    /** What is wrong, without the key (it is prefixed). */
    readonly problem: string,
    hint = 'The key does not follow NOAA\'s naming for this source: check the bucket and the source\'s key layout.',
  ) {
    super(`${quote(key)}: ${problem}`, hint);
  }
}

/** Bad arguments to the planning functions (an invalid clock, a lookback outside the retention). */
export class IngestPlanError extends UserError {
  override name = 'IngestPlanError';
}

/** Keys come from listings we do not control: keep messages readable whatever their length. */
export function quote(text: string, max = 120): string {
  const shown = text.length > max ? `${text.slice(0, max)}… (${text.length} characters)` : text;
  return JSON.stringify(shown);
}

/**
 * A source file that cannot become catalog fields however often it is retried: 0 bytes, damaged
 * gzip, a wanted field missing, a forecast filed under the wrong cycle. Quarantined, not retried.
 */
export class IngestFileError extends UserError {
  override name = 'IngestFileError';

  constructor(message: string, hint = 'The file is quarantined until the source replaces it (a new ETag); `sluice ingest status` lists it.') {
    super(message, hint);
  }
}
