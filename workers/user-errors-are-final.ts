import { ApplicationFailure } from '@temporalio/common';
import type { ActivityInterceptorsFactory } from '@temporalio/worker';
import { isUserError } from '../infra/errors/user-error';

/**
 * A UserError (bad input, a bucket that does not exist, a key with "..") will not fix itself on a
 * retry, so an activity that throws one fails at once, non-retryably, with its type and hint in
 * the failure the Web UI shows. Any other error is taken as transient and retried by policy.
 */
export const userErrorsAreFinal: ActivityInterceptorsFactory = () => ({
  inbound: {
    async execute(input, next) {
      try {
        return await next(input);
      } catch (err) {
        if (!isUserError(err)) throw err;
        throw ApplicationFailure.create({
          message: err.hint ? `${err.message} ${err.hint}` : err.message,
          type: err.name,
          nonRetryable: true,
          cause: err,
        });
      }
    },
  },
});
