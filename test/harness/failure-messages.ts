/** Every message down an error's cause chain, joined: a workflow failure wraps the activity's own error. */
export function causeMessages(err: unknown): string {
  const messages: string[] = [];
  for (let cause: unknown = err; cause instanceof Error; cause = cause.cause) messages.push(cause.message);
  return messages.join(' | ');
}
