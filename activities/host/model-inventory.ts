import fs from 'node:fs/promises';
import path from 'node:path';
import { checkManifestPath } from '../registry/manifest';
import { checkModelName, checkVersion } from '../registry/names';
import { isErrno } from '../storage/stream-helpers';
import { DigestCache } from './digest-cache';
import type { InstalledFile } from '../fleet/deployment-plan';

/** Where a node keeps model files: <root>/models/<model>/<version>/, as SentinelCam's nodes do. */
export function modelsDir(root: string): string {
  return path.join(root, 'models');
}

/** <root>/models/<model>/<version>/<path>, with every part checked so no name leaves that directory. */
export function modelFile(root: string, file: { model: string; version: string; path: string }): string {
  const dir = path.join(modelsDir(root), checkModelName(file.model), checkVersion(file.version));
  const target = path.resolve(dir, ...checkManifestPath(file.path).split('/'));
  if (!target.startsWith(`${dir}${path.sep}`)) throw new Error(`${file.path} leaves ${dir}`);
  return target;
}

/** Removes `dir` and its parents while they are empty, stopping at `stop`. */
export async function removeEmptyParents(dir: string, stop: string): Promise<void> {
  for (let current = dir; current.startsWith(`${stop}${path.sep}`); current = path.dirname(current)) {
    try {
      await fs.rmdir(current);
    } catch (err) {
      if (isErrno(err, 'ENOTEMPTY', 'EEXIST', 'ENOENT')) return;
      throw err;
    }
  }
}

/**
 * Every model file a node holds, with size and sha256, under <root>/models. Hidden names
 * (temporary files of an interrupted transfer) are not counted. Like `rsync --checksum` it goes
 * by content, but a file unchanged since it was last read is not read again (DigestCache).
 */
export async function readInventory(root: string, onFile: () => void): Promise<InstalledFile[]> {
  const base = modelsDir(root);
  const cache = await DigestCache.open(root);
  const files: InstalledFile[] = [];
  for (const model of await visibleEntries(base)) {
    for (const version of await visibleEntries(path.join(base, model))) {
      const dir = path.join(base, model, version);
      for (const relative of await filesUnder(dir)) {
        const digest = await cache.digest(path.join(dir, relative));
        if (digest) files.push({ model, version, path: relative, ...digest });
        onFile();
      }
    }
  }
  await cache.save();
  return files;
}

async function visibleEntries(dir: string): Promise<string[]> {
  try {
    return (await fs.readdir(dir, { withFileTypes: true })).filter((entry) => entry.isDirectory() && !entry.name.startsWith('.')).map((entry) => entry.name).sort();
  } catch (err) {
    if (isErrno(err, 'ENOENT', 'ENOTDIR')) return [];
    throw err;
  }
}

async function filesUnder(dir: string, prefix = ''): Promise<string[]> {
  const found: string[] = [];
  for (const entry of (await fs.readdir(dir, { withFileTypes: true })).sort((a, b) => a.name.localeCompare(b.name))) {
    if (entry.name.startsWith('.')) continue;
    const relative = prefix ? `${prefix}/${entry.name}` : entry.name;
    if (entry.isDirectory()) found.push(...(await filesUnder(path.join(dir, entry.name), relative)));
    else if (entry.isFile()) found.push(relative);
  }
  return found;
}
