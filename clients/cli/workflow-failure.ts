import { ApplicationFailure, WorkflowFailedError } from '@temporalio/client';
import { UserError } from '../../infra/errors/user-error';

/**
 * A workflow the CLI ran failed because of something a person must fix (an unknown model, a
 * damaged file, a conflict): that failure arrives wrapped in workflow and activity failures, whose
 * own messages ("Workflow execution failed") say nothing. This finds the innermost application
 * failure and shows it as the user error it was, with the workflow id to look it up by.
 */
export function explainWorkflowFailure(err: unknown): unknown {
  if (!(err instanceof WorkflowFailedError)) return err;
  let cause: unknown = err.cause;
  let innermost: ApplicationFailure | undefined;
  while (cause instanceof Error) {
    if (cause instanceof ApplicationFailure) innermost = cause;
    cause = cause.cause;
  }
  if (!innermost?.nonRetryable) return err;
  return new UserError(innermost.message, `(${innermost.type ?? 'ApplicationFailure'}; the workflow's history in the Web UI has the details.)`, { cause: err });
}
