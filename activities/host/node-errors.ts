import { UserError } from '../../infra/errors/user-error';

/**
 * Why a deployment failed on one node, in words its operator can act on. Being UserErrors, they
 * fail their activity at once (workers/user-errors-are-final.ts): a restart command that exits 1
 * will exit 1 again, so the node is rolled back instead of retried.
 */

export class RestartFailedError extends UserError {
  override name = 'RestartFailed';
}

export class HealthCheckFailedError extends UserError {
  override name = 'HealthCheckFailed';
}

export class UnknownServiceError extends UserError {
  override name = 'UnknownService';
}

/** The node's root (or a config's destination) cannot be written by the worker. */
export class NodeNotWritableError extends UserError {
  override name = 'NodeNotWritable';
}

/** Turns a permission or read-only filesystem error into one that names the directory and the fix. */
export function explainWriteError(err: unknown, dir: string): unknown {
  const code = (err as NodeJS.ErrnoException | undefined)?.code;
  if (code !== 'EACCES' && code !== 'EPERM' && code !== 'EROFS' && code !== 'ENOTDIR' && code !== 'EEXIST') return err;
  const why = { EACCES: 'permission denied', EPERM: 'operation not permitted', EROFS: 'read-only filesystem', ENOTDIR: 'a path component is a file, not a directory', EEXIST: 'a file is in the way of a directory' }[code];
  return new NodeNotWritableError(
    `Cannot write under ${dir}: ${why} (${(err as Error).message}).`,
    `Give the node worker's user write access there, or start it with --root pointing at a writable directory.`,
    { cause: err },
  );
}
