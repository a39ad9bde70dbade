import { randomUUID } from 'node:crypto';
import fs from 'node:fs/promises';
import path from 'node:path';
import { checkManifestPath, stagingPrefix, type ManifestFile } from '../../activities/registry/manifest';
import { RegistryError } from '../../activities/registry/errors';
import type { ObjectStore } from '../../activities/storage/object-store';

export interface UploadProgress {
  readonly files: number;
  readonly totalFiles: number;
  readonly bytes: number;
  readonly totalBytes: number;
}

/**
 * Uploads a directory to the registry's upload area for publishModel, computing each file's size
 * and sha256 while it streams (never read twice, never held in memory). Only regular files are
 * taken; a symbolic link or anything else is refused rather than followed out of the directory.
 */
export async function uploadDirectory(store: ObjectStore, prefix: string, dir: string, onProgress: (progress: UploadProgress) => void): Promise<{ uploadId: string; files: ManifestFile[] }> {
  const root = path.resolve(dir);
  const stat = await fs.stat(root).catch(() => undefined);
  if (!stat?.isDirectory()) throw new RegistryError(`${root} is not a directory.`, 'Publish the directory that holds the model files.');
  const entries = await filesUnder(root);
  if (entries.length === 0) throw new RegistryError(`${root} holds no files.`, 'Publish the directory that holds the model files.');
  const totalBytes = entries.reduce((sum, entry) => sum + entry.size, 0);

  const uploadId = randomUUID();
  const staging = stagingPrefix(prefix, uploadId);
  const files: ManifestFile[] = [];
  let bytes = 0;
  for (const entry of entries) {
    const put = await store.putFile(`${staging}${entry.relative}`, entry.absolute);
    files.push({ path: entry.relative, size: put.size, sha256: put.sha256 });
    bytes += put.size;
    onProgress({ files: files.length, totalFiles: entries.length, bytes, totalBytes });
  }
  return { uploadId, files };
}

interface Entry {
  relative: string;
  absolute: string;
  size: number;
}

async function filesUnder(root: string): Promise<Entry[]> {
  const found: Entry[] = [];
  const walk = async (dir: string): Promise<void> => {
    for (const dirent of (await fs.readdir(dir, { withFileTypes: true })).sort((a, b) => a.name.localeCompare(b.name))) {
      const absolute = path.join(dir, dirent.name);
      const relative = path.relative(root, absolute).split(path.sep).join('/');
      if (dirent.isDirectory()) await walk(absolute);
      else if (dirent.isFile()) found.push({ relative: checkManifestPath(relative), absolute, size: (await fs.stat(absolute)).size });
      else throw new RegistryError(`${absolute} is not a regular file (a link, socket or device).`, 'Copy the real file into the directory; links are not followed.');
    }
  };
  await walk(root);
  return found;
}
