/**
 * An error caused by something the user can fix: bad config, a missing tool, an unreachable
 * service. The CLI prints `message` and `hint` without a stack trace (unless --verbose) and
 * exits non-zero. Anything that is not a UserError is a bug and is printed with its stack.
 */
export class UserError extends Error {
  override name = 'UserError';

  constructor(
    message: string,
    /** What to do about it, in one or two sentences. */
    readonly hint?: string,
    options?: { cause?: unknown },
  ) {
    super(message, options);
  }
}

export function isUserError(err: unknown): err is UserError {
  return err instanceof UserError;
}

/** `err.message` for anything thrown, including non-Error values. */
export function messageOf(err: unknown): string {
  if (err instanceof Error) return err.message;
  return String(err);
}
