import { createHash, randomBytes } from 'node:crypto';
import { createReadStream } from 'node:fs';
import fs, { type FileHandle } from 'node:fs/promises';
import path from 'node:path';
import { Readable, Transform, type TransformCallback } from 'node:stream';
import type { ObjectBody } from './object-store';

/** Stream and file helpers both object-store backends use: hashing while copying, atomic files. */

/** Any accepted body as a Readable, so every backend consumes bodies one way. */
export function toReadable(body: ObjectBody): Readable {
  if (typeof body === 'string' || Buffer.isBuffer(body)) return Readable.from([Buffer.from(body)]);
  if (body instanceof Readable) return body;
  // Old-style streams (NodeJS.ReadableStream that is not a Readable) still work through wrap().
  return new Readable().wrap(body);
}

/** Passes bytes through unchanged while counting and hashing them, so the digest costs no second read. */
export class Sha256Meter extends Transform {
  private readonly hash = createHash('sha256');
  private digestHex: string | undefined;
  size = 0;

  override _transform(chunk: Buffer | string, _encoding: BufferEncoding, callback: TransformCallback): void {
    const bytes = typeof chunk === 'string' ? Buffer.from(chunk) : chunk;
    this.hash.update(bytes);
    this.size += bytes.length;
    callback(null, bytes);
  }

  /** Only meaningful once all bytes have passed. */
  sha256(): string {
    this.digestHex ??= this.hash.digest('hex');
    return this.digestHex;
  }
}

export function sha256Of(bytes: Buffer): string {
  return createHash('sha256').update(bytes).digest('hex');
}

/**
 * Writes `source` to a new file at `tempPath` (which must not exist) and fsyncs it (unless `sync`
 * is false, for scratch files nobody needs after a crash), hashing as it goes. On failure the temp
 * file is removed and the source destroyed.
 */
export async function writeAndSync(source: Readable, tempPath: string, sync = true): Promise<{ size: number; sha256: string }> {
  const hash = createHash('sha256');
  let size = 0;
  let file: FileHandle;
  try {
    file = await fs.open(tempPath, 'wx');
  } catch (err) {
    source.destroy(); // an unread source may hold a file handle or a socket
    throw err;
  }
  try {
    for await (const chunk of source) {
      const bytes: Buffer = typeof chunk === 'string' ? Buffer.from(chunk) : chunk;
      hash.update(bytes);
      size += bytes.length;
      // write() may write less than asked; loop rather than lose the tail of a chunk.
      for (let offset = 0; offset < bytes.length; ) {
        const { bytesWritten } = await file.write(bytes, offset);
        offset += bytesWritten;
      }
    }
    if (sync) await file.sync();
  } catch (err) {
    source.destroy();
    await file.close().catch(() => undefined);
    await fs.rm(tempPath, { force: true });
    throw err;
  }
  await file.close();
  return { size, sha256: hash.digest('hex') };
}

/** Makes a rename durable: the new directory entry survives a crash only once the directory is synced. */
export async function fsyncDirectory(dir: string): Promise<void> {
  const handle = await fs.open(dir, 'r');
  try {
    await handle.sync();
  } catch (err) {
    // Some filesystems refuse fsync on directories; the data itself is already synced.
    if (!isErrno(err, 'EINVAL', 'EPERM', 'EISDIR', 'EBADF')) throw err;
  } finally {
    await handle.close();
  }
}

/**
 * Downloads into `filePath` atomically: a temp file next to it (same filesystem, so rename is
 * atomic), fsync, rename, fsync of the directory. A reader never sees a half-written file.
 */
export async function writeFileAtomically(source: Readable, filePath: string): Promise<{ size: number; sha256: string }> {
  const target = path.resolve(filePath);
  const dir = path.dirname(target);
  try {
    await fs.mkdir(dir, { recursive: true });
  } catch (err) {
    source.destroy(); // an unread source may hold a file handle or a socket
    throw err;
  }
  // Named after the target for whoever finds a leftover, but short enough for any name length limit.
  const tempPath = path.join(dir, `.${path.basename(target).slice(0, 100)}.${randomBytes(6).toString('hex')}.part`);
  const result = await writeAndSync(source, tempPath);
  try {
    await fs.rename(tempPath, target);
  } catch (err) {
    await fs.rm(tempPath, { force: true });
    throw err;
  }
  await fsyncDirectory(dir);
  return result;
}

export function isErrno(err: unknown, ...codes: string[]): boolean {
  return typeof err === 'object' && err !== null && codes.includes((err as NodeJS.ErrnoException).code ?? '');
}

/** Size and sha256 of a file on disk, read as a stream; undefined when there is no such file. */
export async function fileDigest(file: string): Promise<{ size: number; sha256: string } | undefined> {
  const hash = createHash('sha256');
  let size = 0;
  try {
    for await (const chunk of createReadStream(file)) {
      hash.update(chunk as Buffer);
      size += (chunk as Buffer).length;
    }
  } catch (err) {
    if (isErrno(err, 'ENOENT', 'EISDIR')) return undefined;
    throw err;
  }
  return { size, sha256: hash.digest('hex') };
}
