import { randomBytes } from 'node:crypto';
import fs from 'node:fs/promises';
import path from 'node:path';
import { Context } from '@temporalio/activity';
import type { ObjectStore } from '../storage/object-store';
import { fileDigest, fsyncDirectory, isErrno, toReadable, writeAndSync } from '../storage/stream-helpers';
import { modelFile, modelsDir, removeEmptyParents } from './model-inventory';

/** A file to put on the node, where to fetch it, and what it must hash to. */
export interface FileToFetch {
  readonly model: string;
  readonly version: string;
  readonly path: string;
  readonly size: number;
  readonly sha256: string;
  /** Object-storage key of the registry's copy. */
  readonly key: string;
}

export interface ApplyFilesRequest {
  readonly fetch: readonly FileToFetch[];
  readonly remove: readonly { model: string; version: string; path: string }[];
}

export interface ApplyFilesResult {
  readonly fetched: number;
  readonly bytesMoved: number;
  /** Already in place with the right digest (a retry after a crash, or a plan made earlier). */
  readonly alreadyInPlace: number;
  readonly removed: number;
}

/**
 * Brings a node's <root>/models to a plan: each file fetched only if it is not already there with
 * the right digest, written under a hidden temporary name, checked against its sha256, fsynced and
 * renamed, so a service never reads a half-written model; then the files no target needs are
 * removed, and directories left empty with them. Safe to run again at any point.
 */
export async function applyModelFiles(deps: { root: string; store: ObjectStore }, request: ApplyFilesRequest, heartbeat: () => void): Promise<ApplyFilesResult> {
  let fetched = 0;
  let bytesMoved = 0;
  let alreadyInPlace = 0;
  for (const file of request.fetch) {
    const target = modelFile(deps.root, file);
    const present = await fileDigest(target);
    if (present?.sha256 === file.sha256 && present.size === file.size) {
      alreadyInPlace += 1;
      continue;
    }
    await fs.mkdir(path.dirname(target), { recursive: true });
    const temp = path.join(path.dirname(target), `.${path.basename(target).slice(0, 100)}.${randomBytes(6).toString('hex')}.part`);
    try {
      const written = await writeAndSync(toReadable(await deps.store.getStream(file.key)), temp);
      if (written.sha256 !== file.sha256 || written.size !== file.size) {
        // A transfer that went wrong is worth another attempt: not a UserError.
        throw new Error(`${file.model}/${file.version}/${file.path} arrived as ${written.size} bytes, sha256 ${written.sha256.slice(0, 12)}…, expected ${file.size} bytes, ${file.sha256.slice(0, 12)}…`);
      }
      await fs.rename(temp, target);
      bytesMoved += written.size;
    } catch (err) {
      // Leave the node as it was: no temporary file, and no directory made only for this file.
      await fs.rm(temp, { force: true });
      await removeEmptyParents(path.dirname(target), modelsDir(deps.root));
      throw err;
    }
    await fsyncDirectory(path.dirname(target));
    fetched += 1;
    heartbeat();
  }
  let removed = 0;
  for (const file of request.remove) {
    const target = modelFile(deps.root, file);
    try {
      await fs.rm(target);
      removed += 1;
    } catch (err) {
      if (!isErrno(err, 'ENOENT')) throw err;
    }
    await removeEmptyParents(path.dirname(target), modelsDir(deps.root));
  }
  return { fetched, bytesMoved, alreadyInPlace, removed };
}

/** The node activity around applyModelFiles, on `sluice-node-<host>`. */
export function createModelFileActivities(deps: { root: string; store: ObjectStore }) {
  return {
    async nodeApplyFiles(request: ApplyFilesRequest): Promise<ApplyFilesResult> {
      const context = Context.current();
      return applyModelFiles(deps, request, () => context.heartbeat());
    },
  };
}

export type ModelFileActivities = ReturnType<typeof createModelFileActivities>;
