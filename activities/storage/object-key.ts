import { UserError } from '../../infra/errors/user-error';

/**
 * Object keys come from workflows, configs and remote hosts, and the local backend turns them into
 * file paths. One strict, backend-independent rule set keeps a key that works on one backend
 * working on every other, and stops path tricks (`..`, absolute paths, backslashes) before any I/O.
 */

/** S3's limit; the local backend has no smaller one worth exposing. */
export const MAX_OBJECT_KEY_BYTES = 1024;

const EXPECTED =
  'a relative path of "/"-separated segments, at most 1024 bytes of UTF-8, without control characters, backslashes, ' +
  'empty segments, "." or ".." segments, or a trailing "/" (e.g. "datasets/2024/run-1.bin")';

const EXPECTED_PREFIX =
  'empty, or the start of an object key (e.g. "datasets/" or "datasets/run-"); the same rules as a key apply, except that it may end with "/"';

export class InvalidObjectKeyError extends UserError {
  override name = 'InvalidObjectKeyError';
  constructor(
    readonly key: unknown,
    /** What is wrong, e.g. `contains a ".." segment`. */
    readonly problem: string,
    kind: 'key' | 'prefix' = 'key',
  ) {
    super(
      `Invalid object ${kind} ${showKey(key)}: ${problem}`,
      `Expected ${kind === 'key' ? EXPECTED : EXPECTED_PREFIX}.`,
    );
  }
}

/** Returns `key` unchanged when it is a valid object key; throws InvalidObjectKeyError otherwise. */
export function validateObjectKey(key: string): string {
  const problem = keyProblem(key, false);
  if (problem) throw new InvalidObjectKeyError(key, problem, 'key');
  return key;
}

/** For keys found in storage rather than given by a caller: true when every method here could address them. */
export function isValidObjectKey(key: string): boolean {
  return keyProblem(key, false) === undefined;
}

/**
 * Returns `prefix` unchanged when it can start object keys (for listing); throws otherwise. A
 * prefix need not end at a segment boundary: "runs/2024-" matches "runs/2024-01/x" as in S3.
 */
export function validateKeyPrefix(prefix: string): string {
  if (prefix === '') return prefix;
  const problem = keyProblem(prefix, true);
  if (problem) throw new InvalidObjectKeyError(prefix, problem, 'prefix');
  return prefix;
}

function keyProblem(key: unknown, isPrefix: boolean): string | undefined {
  if (typeof key !== 'string') return `is a ${key === null ? 'null' : typeof key}, not a string`;
  if (key.length === 0) return 'is empty';
  const bytes = Buffer.byteLength(key, 'utf8');
  if (bytes > MAX_OBJECT_KEY_BYTES) return `is ${bytes} bytes long in UTF-8, more than the ${MAX_OBJECT_KEY_BYTES} allowed`;
  const control = /[\u0000-\u001f\u007f]/.exec(key);
  if (control) return `contains the control character U+${codePoint(control[0])} at position ${control.index}`;
  // A lone surrogate has no UTF-8 form: it would be stored as U+FFFD and the key would silently change.
  if (/[\ud800-\udbff](?![\udc00-\udfff])|(?<![\ud800-\udbff])[\udc00-\udfff]/.test(key)) {
    return 'contains an unpaired UTF-16 surrogate (not valid Unicode)';
  }
  if (key.startsWith('/')) return 'is absolute (starts with "/")';
  if (/^[A-Za-z]:/.test(key)) return 'is absolute (starts with a Windows drive letter)';
  if (key.startsWith('\\')) return 'is absolute (starts with "\\")';
  if (key.includes('\\')) return 'contains a backslash';
  if (key.endsWith('/') && !isPrefix) return 'ends with "/" (that names a folder, not an object)';

  const segments = key.split('/');
  // A prefix ending in "/" has one empty last segment that is not a problem.
  if (isPrefix && key.endsWith('/')) segments.pop();
  for (const segment of segments) {
    if (segment === '') return 'contains an empty segment ("//")';
    if (segment === '.' || segment === '..') return `contains a "${segment}" segment`;
  }
  return undefined;
}

/**
 * The key as it can safely appear in a message or a terminal: quoted, cut short when huge, and with
 * invisible or reordering characters escaped (JSON.stringify leaves DEL, C1 controls and bidi
 * overrides alone, and those could hide or disguise what a hostile key really is).
 */
function showKey(key: unknown): string {
  if (typeof key !== 'string') return String(key);
  const shown = key.length > 120 ? `${key.slice(0, 120)}…` : key;
  return JSON.stringify(shown).replace(/[\u007f-\u009f\u200b-\u200f\u2028-\u202e\u2066-\u2069\ufeff]/g, (char) => `\\u${codePoint(char)}`);
}

function codePoint(char: string): string {
  return (char.codePointAt(0) ?? 0).toString(16).toUpperCase().padStart(4, '0');
}
