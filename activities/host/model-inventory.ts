import fs from 'node:fs/promises';
import path from 'node:path';
import { Context } from '@temporalio/activity';
import { fileDigest, isErrno } from '../storage/stream-helpers';
import type { InstalledFile } from '../fleet/deployment-plan';

/** Where a node keeps model files: <root>/models/<model>/<version>/, as SentinelCam's nodes do. */
export function modelsDir(root: string): string {
  return path.join(root, 'models');
}

/**
 * On an edge node: every model file it holds, with size and sha256, under <root>/models. Hidden
 * names (temporary files of an interrupted transfer) are not counted; `rsync --checksum` reads
 * every byte the same way.
 */
export function createModelInventoryActivities(deps: { host: string; root: string }) {
  return {
    async nodeInventory(): Promise<{ host: string; files: InstalledFile[] }> {
      const context = Context.current();
      const base = modelsDir(deps.root);
      const files: InstalledFile[] = [];
      for (const model of await visibleEntries(base)) {
        for (const version of await visibleEntries(path.join(base, model))) {
          const dir = path.join(base, model, version);
          for (const relative of await filesUnder(dir)) {
            const digest = await fileDigest(path.join(dir, relative));
            if (digest) files.push({ model, version, path: relative, ...digest });
            context.heartbeat();
          }
        }
      }
      return { host: deps.host, files };
    },
  };
}

export type ModelInventoryActivities = ReturnType<typeof createModelInventoryActivities>;

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
