import { createHash } from 'node:crypto';
import { createReadStream } from 'node:fs';
import fs from 'node:fs/promises';
import path from 'node:path';
import type { ObjectStore } from '../storage/object-store';
import { fsyncDirectory, isErrno, toReadable } from '../storage/stream-helpers';

/** A file a deployment brings to a node, as the registry describes it. */
export interface FileToStage {
  readonly sha256: string;
  readonly size: number;
  /** Object-storage key of the registry's copy. */
  readonly key: string;
}

export interface StagingProgress {
  readonly files: number;
  readonly filesDone: number;
  readonly bytes: number;
  readonly bytesDone: number;
}

/**
 * Downloads files into a deployment's staging directory on the node, named by sha256, before
 * anything a service reads is touched. An interrupted download keeps its `.part` file and the
 * next attempt (another worker process, after a crash) resumes from where it stopped, with the
 * bytes already there hashed again so the final check covers the whole file. A file whose digest
 * is wrong is deleted and the error thrown, so a retry starts it over.
 */
export async function stageFiles(store: ObjectStore, stagingDir: string, files: readonly FileToStage[], onProgress: (progress: StagingProgress) => void): Promise<{ bytesMoved: number; alreadyStaged: number }> {
  await fs.mkdir(stagingDir, { recursive: true });
  const unique = [...new Map(files.map((file) => [file.sha256, file])).values()];
  const total = unique.reduce((sum, file) => sum + file.size, 0);
  let bytesMoved = 0;
  let alreadyStaged = 0;
  let done = 0;
  let filesDone = 0;
  for (const file of unique) {
    const staged = stagedPath(stagingDir, file.sha256);
    if (await exists(staged)) {
      alreadyStaged += 1;
    } else {
      bytesMoved += await download(store, file, staged, (bytes) => onProgress({ files: unique.length, filesDone, bytes: total, bytesDone: done + bytes }));
    }
    done += file.size;
    filesDone += 1;
    onProgress({ files: unique.length, filesDone, bytes: total, bytesDone: done });
  }
  await fsyncDirectory(stagingDir);
  return { bytesMoved, alreadyStaged };
}

export function stagedPath(stagingDir: string, sha256: string): string {
  if (!/^[0-9a-f]{64}$/.test(sha256)) throw new Error(`"${sha256}" is not a sha256 digest`);
  return path.join(stagingDir, sha256);
}

/** Returns the bytes that crossed the network for this file (less than its size after a resume). */
async function download(store: ObjectStore, file: FileToStage, staged: string, onBytes: (bytes: number) => void): Promise<number> {
  const part = `${staged}.part`;
  const hash = createHash('sha256');
  let have = await sizeOf(part);
  if (have >= file.size) {
    await fs.rm(part, { force: true }); // a full-size leftover that never got renamed failed its check
    have = 0;
  }
  if (have > 0) for await (const chunk of createReadStream(part, { end: have - 1 })) hash.update(chunk as Buffer);
  const out = await fs.open(part, have > 0 ? 'a' : 'w');
  let size = have;
  try {
    for await (const chunk of toReadable(await store.getStream(file.key, { start: have }))) {
      const bytes = chunk as Buffer;
      hash.update(bytes);
      for (let offset = 0; offset < bytes.length; ) offset += (await out.write(bytes, offset)).bytesWritten;
      size += bytes.length;
      onBytes(size);
    }
    await out.sync();
  } finally {
    await out.close();
  }
  const sha256 = hash.digest('hex');
  if (sha256 !== file.sha256 || size !== file.size) {
    await fs.rm(part, { force: true });
    // A transfer that went wrong is worth another attempt: not a UserError.
    throw new Error(`${file.key} arrived as ${size} bytes, sha256 ${sha256.slice(0, 12)}…, expected ${file.size} bytes, ${file.sha256.slice(0, 12)}…`);
  }
  await fs.rename(part, staged);
  return size - have;
}

async function sizeOf(file: string): Promise<number> {
  try {
    return (await fs.stat(file)).size;
  } catch (err) {
    if (isErrno(err, 'ENOENT')) return 0;
    throw err;
  }
}

/** A staged file exists only once verified: it is renamed from its .part after the digest check. */
function exists(file: string): Promise<boolean> {
  return fs.access(file).then(() => true, () => false);
}
