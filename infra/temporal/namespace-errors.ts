import { UserError, messageOf } from '../errors/user-error';

/** gRPC status codes Temporal answers with when a namespace is missing or off limits. */
const NOT_FOUND = 5;
const PERMISSION_DENIED = 7;

/**
 * Turns "the namespace does not exist" and "not allowed" answers into errors a person can act on;
 * anything else is passed through unchanged.
 */
export function explainNamespaceError(err: unknown, namespace: string, doing: string): unknown {
  const code = (err as { code?: unknown } | null)?.code;
  if (code === NOT_FOUND && /namespace/i.test(messageOf(err))) {
    return new UserError(`Temporal namespace "${namespace}" does not exist (while ${doing}).`, `Create it (temporal operator namespace create --namespace ${namespace}) or fix temporal.namespace / TEMPORAL_NAMESPACE.`, { cause: err });
  }
  if (code === PERMISSION_DENIED) {
    return new UserError(
      `Temporal refused ${doing} in namespace "${namespace}": ${messageOf(err)}`,
      'Give this client the permission, or have an admin do it once (for search attributes: temporal operator search-attribute create --namespace ... --name ... --type ...).',
      { cause: err },
    );
  }
  return err;
}
