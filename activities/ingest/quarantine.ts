import { ApplicationFailure } from '@temporalio/common';
import { isUserError } from '../../infra/errors/user-error';

/** The failure type of a file refused as malformed; ingestCycle counts these as quarantined. */
export const QUARANTINED = 'Quarantined';

/** Non-retryable, with the error's own type and hint kept in the message the Web UI shows. */
export function quarantineFailure(err: Error): ApplicationFailure {
  const hint = isUserError(err) && err.hint ? ` ${err.hint}` : '';
  return ApplicationFailure.create({ message: `${err.message}${hint}`, type: QUARANTINED, nonRetryable: true, details: [{ error: err.name }] });
}
