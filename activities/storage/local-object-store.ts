import { randomBytes } from 'node:crypto';
import { createReadStream, type Dirent } from 'node:fs';
import fs, { type FileHandle } from 'node:fs/promises';
import path from 'node:path';
import type { Readable } from 'node:stream';
import { UserError } from '../../infra/errors/user-error';
import { InvalidObjectKeyError, isValidObjectKey, validateKeyPrefix, validateObjectKey } from './object-key';
import {
  ObjectKeyConflictError,
  ObjectNotFoundError,
  type ObjectBody,
  type ObjectInfo,
  type ObjectStore,
  type PutResult,
} from './object-store';
import { fsyncDirectory, isErrno, toReadable, writeAndSync, writeFileAtomically } from './stream-helpers';

/** Where in-flight writes live: inside root, so the final rename never crosses filesystems. */
const TEMP_DIR = '.tmp';

/** A key resolved (through symbolic links) to somewhere outside the store's root. */
export class ObjectPathEscapeError extends UserError {
  override name = 'ObjectPathEscapeError';
  constructor(
    readonly key: string,
    root: string,
  ) {
    super(
      `Object key ${JSON.stringify(key)} resolves outside the local storage directory ${root} (through a symbolic link)`,
      'Remove symbolic links under storage.local.root that point outside it; sluice never follows them.',
    );
  }
}

/**
 * Objects as files under one directory: key "a/b.bin" is <root>/a/b.bin. Writes go to a temp file
 * under <root>/.tmp, are fsynced and renamed into place, so a reader sees a whole object or none.
 * Because the key "a" would have to be both a file and a directory, "a" and "a/b" cannot coexist
 * (ObjectKeyConflictError), exactly as on versitygw's posix backend. Content types are not kept,
 * and the top-level name ".tmp" is reserved.
 */
export class LocalObjectStore implements ObjectStore {
  readonly root: string;
  readonly description: string;
  private readonly tempDir: string;
  private realRoot: string | undefined;

  constructor(root: string) {
    this.root = path.resolve(root);
    this.tempDir = path.join(this.root, TEMP_DIR);
    this.description = `local directory ${this.root}`;
  }

  async put(key: string, body: ObjectBody): Promise<PutResult> {
    const target = this.pathOf(key);
    return this.writeObject(key, target, toReadable(body));
  }

  async putFile(key: string, filePath: string): Promise<PutResult> {
    const target = this.pathOf(key);
    return this.writeObject(key, target, createReadStream(filePath));
  }

  async get(key: string): Promise<Buffer> {
    const file = await this.openObject(key, this.pathOf(key));
    try {
      return await file.readFile();
    } finally {
      await file.close();
    }
  }

  async getStream(key: string, options: { start?: number } = {}): Promise<NodeJS.ReadableStream> {
    // Opening first means a missing object throws here, not later as a stream error.
    const file = await this.openObject(key, this.pathOf(key));
    return file.createReadStream({ start: options.start ?? 0 });
  }

  async getToFile(key: string, filePath: string): Promise<{ size: number; sha256: string }> {
    const file = await this.openObject(key, this.pathOf(key));
    return writeFileAtomically(file.createReadStream(), filePath);
  }

  async head(key: string): Promise<ObjectInfo | undefined> {
    const target = this.pathOf(key);
    const real = await this.realObjectPath(key, target);
    if (!real) return undefined;
    try {
      const stats = await fs.stat(real);
      return stats.isFile() ? { key, size: stats.size, lastModified: dateOf(stats) } : undefined;
    } catch (err) {
      if (isErrno(err, 'ENOENT', 'ENOTDIR')) return undefined;
      throw err;
    }
  }

  async delete(key: string): Promise<void> {
    await this.deleteValidated(key, this.pathOf(key));
  }

  async deleteMany(keys: string[]): Promise<{ deleted: string[]; failed: { key: string; error: string }[] }> {
    // All keys are checked before the first delete, so a bad key cannot leave a half-done batch.
    const targets = keys.map((key) => ({ key, target: this.pathOf(key) }));
    const deleted: string[] = [];
    const failed: { key: string; error: string }[] = [];
    for (const { key, target } of targets) {
      try {
        await this.deleteValidated(key, target);
        deleted.push(key);
      } catch (err) {
        failed.push({ key, error: err instanceof Error ? err.message : String(err) });
      }
    }
    return { deleted, failed };
  }

  async *list(prefix: string): AsyncIterable<ObjectInfo> {
    validateKeyPrefix(prefix);
    // Start at the deepest directory the prefix names; the rest of the prefix filters its entries.
    const dirKey = prefix.slice(0, prefix.lastIndexOf('/') + 1);
    if (dirKey.startsWith(`${TEMP_DIR}/`)) return;
    const dir = path.join(this.root, ...dirKey.split('/').filter(Boolean));
    let realDir: string;
    try {
      realDir = await fs.realpath(dir);
    } catch (err) {
      if (isErrno(err, 'ENOENT', 'ENOTDIR')) return;
      throw err;
    }
    await this.assertInside(realDir, prefix);
    yield* this.walk(realDir, dirKey, prefix);
  }

  close(): void {
    // Nothing is held open between calls.
  }

  async check(): Promise<void> {
    try {
      await fs.mkdir(this.tempDir, { recursive: true });
    } catch (err) {
      throw new UserError(
        `The local storage directory ${this.root} cannot be created (${errnoText(err)})`,
        'Set storage.local.root to a directory sluice may create and write, or fix the permissions of its parent.',
        { cause: err },
      );
    }
    const probe = path.join(this.tempDir, `check-${randomBytes(6).toString('hex')}`);
    try {
      await writeAndSync(toReadable('sluice storage check'), probe);
      await fs.rm(probe, { force: true });
    } catch (err) {
      throw new UserError(
        `The local storage directory ${this.root} is not writable (${errnoText(err)})`,
        'Fix the permissions of storage.local.root (sluice writes there as the user it runs as), free disk space, or point storage.local.root elsewhere.',
        { cause: err },
      );
    }
  }

  // -------------------------------------------------------------------------------------------

  /** Validates the key and maps it to a path under root; nothing touches the disk before this. */
  private pathOf(key: string): string {
    validateObjectKey(key);
    const segments = key.split('/');
    if (segments[0] === TEMP_DIR) {
      throw new InvalidObjectKeyError(key, `starts with "${TEMP_DIR}/", which the local object store keeps for its temporary files`);
    }
    const target = path.join(this.root, ...segments);
    // Defence in depth: validation already rules out "..", absolute paths and backslashes.
    if (!target.startsWith(this.root + path.sep)) throw new ObjectPathEscapeError(key, this.root);
    return target;
  }

  private async writeObject(key: string, target: string, source: Readable): Promise<PutResult> {
    await fs.mkdir(this.tempDir, { recursive: true });
    const tempPath = path.join(this.tempDir, `${randomBytes(8).toString('hex')}.part`);
    const { size, sha256 } = await writeAndSync(source, tempPath);
    try {
      await this.renameIntoPlace(key, tempPath, target);
    } catch (err) {
      await fs.rm(tempPath, { force: true });
      throw err;
    }
    return { key, size, sha256 };
  }

  private async renameIntoPlace(key: string, tempPath: string, target: string): Promise<void> {
    const parent = path.dirname(target);
    // A concurrent delete may remove the freshly made parent (it prunes empty directories) between
    // mkdir and rename; that shows up as ENOENT and a second try succeeds.
    for (let attempt = 1; ; attempt++) {
      // Check before mkdir too: mkdir through a planted symlink would create directories outside root.
      await this.assertInside(await this.deepestExisting(key, parent), key);
      try {
        await fs.mkdir(parent, { recursive: true });
        await this.assertInside(await fs.realpath(parent), key);
        await fs.rename(tempPath, target);
        await fsyncDirectory(parent);
        return;
      } catch (err) {
        if (isErrno(err, 'ENOTDIR', 'EEXIST', 'EISDIR', 'ENOTEMPTY')) throw new ObjectKeyConflictError(key, this.description, { cause: err });
        if (!isErrno(err, 'ENOENT') || attempt >= 5) throw err;
      }
    }
  }

  private async deepestExisting(key: string, dir: string): Promise<string> {
    for (let current = dir; ; current = path.dirname(current)) {
      try {
        return await fs.realpath(current);
      } catch (err) {
        if (isErrno(err, 'ENOTDIR')) throw new ObjectKeyConflictError(key, this.description, { cause: err });
        if (!isErrno(err, 'ENOENT') || current === path.dirname(current)) throw err;
      }
    }
  }

  /** The object's real path, or undefined when there is no such file. Throws when it escapes root. */
  private async realObjectPath(key: string, target: string): Promise<string | undefined> {
    let real: string;
    try {
      real = await fs.realpath(target);
    } catch (err) {
      if (isErrno(err, 'ENOENT', 'ENOTDIR')) return undefined;
      throw err;
    }
    await this.assertInside(real, key);
    return real;
  }

  private async openObject(key: string, target: string): Promise<FileHandle> {
    const real = await this.realObjectPath(key, target);
    if (!real) throw new ObjectNotFoundError(key, this.description);
    let file: FileHandle;
    try {
      file = await fs.open(real, 'r');
    } catch (err) {
      if (isErrno(err, 'ENOENT', 'ENOTDIR')) throw new ObjectNotFoundError(key, this.description, { cause: err });
      throw err;
    }
    // A directory is a "folder" of other objects, not an object.
    if (!(await file.stat()).isFile()) {
      await file.close();
      throw new ObjectNotFoundError(key, this.description);
    }
    return file;
  }

  private async deleteValidated(key: string, target: string): Promise<void> {
    let stats;
    try {
      stats = await fs.lstat(target);
    } catch (err) {
      if (isErrno(err, 'ENOENT', 'ENOTDIR')) return;
      throw err;
    }
    if (stats.isDirectory()) return;
    await this.assertInside(await fs.realpath(path.dirname(target)), key);
    try {
      await fs.unlink(target);
    } catch (err) {
      if (!isErrno(err, 'ENOENT')) throw err;
    }
    await this.removeEmptyParents(path.dirname(target));
  }

  /** Deleting the last object of a "folder" removes the folder, as it would vanish in S3. */
  private async removeEmptyParents(dir: string): Promise<void> {
    for (let current = dir; current.startsWith(this.root + path.sep); current = path.dirname(current)) {
      try {
        await fs.rmdir(current);
      } catch (err) {
        // Not empty (or already gone, or a concurrent put just filled it): stop climbing.
        if (isErrno(err, 'ENOTEMPTY', 'EEXIST', 'ENOENT', 'EBUSY', 'ENOTDIR', 'EACCES', 'EPERM')) return;
        throw err;
      }
    }
  }

  private async *walk(dir: string, dirKey: string, prefix: string): AsyncGenerator<ObjectInfo> {
    let entries: Dirent[];
    try {
      entries = await fs.readdir(dir, { withFileTypes: true });
    } catch (err) {
      if (isErrno(err, 'ENOENT', 'ENOTDIR')) return; // removed while we walked
      throw err;
    }
    // Sorting names with "/" appended to directories, by UTF-8 bytes, yields keys in the same
    // global order S3 uses ("a-c" < "a/b" < "a0") while walking one directory at a time.
    // Symbolic links are neither files nor directories here, so they are never followed.
    const items = entries
      .filter((entry) => entry.isFile() || entry.isDirectory())
      .filter((entry) => !(dirKey === '' && entry.name === TEMP_DIR))
      .map((entry) => ({ name: entry.name, isDir: entry.isDirectory(), order: Buffer.from(entry.name + (entry.isDirectory() ? '/' : '')) }))
      .sort((a, b) => Buffer.compare(a.order, b.order));
    for (const item of items) {
      const key = dirKey + item.name;
      if (item.isDir) {
        const folder = `${key}/`;
        if (folder.startsWith(prefix) || prefix.startsWith(folder)) yield* this.walk(path.join(dir, item.name), folder, prefix);
        continue;
      }
      // Files put there by other tools may have names no key can address; listing them would only lead to errors.
      if (!key.startsWith(prefix) || !isValidObjectKey(key)) continue;
      try {
        const stats = await fs.stat(path.join(dir, item.name));
        yield { key, size: stats.size, lastModified: dateOf(stats) };
      } catch (err) {
        if (!isErrno(err, 'ENOENT')) throw err; // deleted while we walked
      }
    }
  }

  private async assertInside(realPath: string, key: string): Promise<void> {
    this.realRoot ??= await fs.realpath(this.root);
    if (realPath !== this.realRoot && !realPath.startsWith(this.realRoot + path.sep)) {
      throw new ObjectPathEscapeError(key, this.root);
    }
  }
}

/**
 * A Date made here rather than by Node's fs, whose Dates come from another realm under jest (and so
 * fail `instanceof Date` in tests).
 */
function dateOf(stats: { mtimeMs: number }): Date {
  return new Date(stats.mtimeMs);
}

function errnoText(err: unknown): string {
  const code = (err as NodeJS.ErrnoException | undefined)?.code;
  return code ?? (err instanceof Error ? err.message : String(err));
}
