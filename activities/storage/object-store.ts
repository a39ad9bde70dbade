import { UserError } from '../../infra/errors/user-error';

/**
 * The one interface every object-storage backend (a local directory, an S3 bucket) implements, so
 * activities move data without knowing where it lives. Keys are validated by `validateObjectKey`
 * before any I/O; a key that works on one backend works on every other.
 */

export interface ObjectInfo {
  key: string;
  size: number;
  /** The backend's opaque version tag (S3's, without quotes); absent when the backend has none. */
  etag?: string;
  lastModified: Date;
}

export interface PutResult {
  key: string;
  size: number;
  /** Hex SHA-256 of the bytes written, computed while they streamed through. */
  sha256: string;
  etag?: string;
}

export type ObjectBody = Buffer | string | NodeJS.ReadableStream;

export interface PutOptions {
  contentType?: string;
}

export interface ObjectStore {
  /** Where the objects live, for messages and logs, e.g. "s3://bucket/prefix at http://127.0.0.1:7070". No secrets. */
  readonly description: string;
  put(key: string, body: ObjectBody, options?: PutOptions): Promise<PutResult>;
  /** Streams the file; never holds it in memory. */
  putFile(key: string, filePath: string, options?: PutOptions): Promise<PutResult>;
  /** The whole object in memory; throws ObjectNotFoundError when missing. Use getStream/getToFile for big objects. */
  get(key: string): Promise<Buffer>;
  /**
   * Throws ObjectNotFoundError when missing (before any bytes flow). `start` skips that many bytes,
   * to resume an interrupted transfer; it must be below the object's size.
   */
  getStream(key: string, options?: { start?: number }): Promise<NodeJS.ReadableStream>;
  /** Atomic: the file appears complete (written, fsynced, renamed) or not at all. */
  getToFile(key: string, filePath: string): Promise<{ size: number; sha256: string }>;
  head(key: string): Promise<ObjectInfo | undefined>;
  /** Idempotent: deleting a missing key succeeds. */
  delete(key: string): Promise<void>;
  /** Keys that could not be deleted are reported, not thrown; invalid keys throw before anything is deleted. */
  deleteMany(keys: string[]): Promise<{ deleted: string[]; failed: { key: string; error: string }[] }>;
  /** Every object whose key starts with `prefix` (a plain string prefix, as in S3), sorted by the UTF-8 bytes of the key. */
  list(prefix: string): AsyncIterable<ObjectInfo>;
  /** Proves the store is reachable and writable; throws a UserError whose hint says what to fix. */
  check(): Promise<void>;
  /** Releases connections; call once the store is no longer used. */
  close(): void;
}

/** Not a UserError: a missing object is usually a workflow's or a caller's concern, not configuration. */
export class ObjectNotFoundError extends Error {
  override readonly name = 'ObjectNotFoundError';

  constructor(
    readonly key: string,
    readonly store: string,
    options?: { cause?: unknown },
  ) {
    super(`Object ${JSON.stringify(key)} not found in ${store}`, options);
  }
}

/**
 * Filesystem-backed stores (the local backend, versitygw's posix backend) cannot hold both an object
 * "a" and an object "a/b": "a" would have to be a file and a directory at once. S3 itself can.
 */
export class ObjectKeyConflictError extends UserError {
  override name = 'ObjectKeyConflictError';
  constructor(
    readonly key: string,
    store: string,
    options?: { cause?: unknown },
  ) {
    super(
      `Cannot store object ${JSON.stringify(key)} in ${store}: an existing object is a prefix of this key, or this key is a prefix of existing objects`,
      'This storage keeps objects as files, so one key cannot be both an object and a "folder" of other objects; choose keys where no object name is followed by "/" in another key.',
      options,
    );
  }
}
