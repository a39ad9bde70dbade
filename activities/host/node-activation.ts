import { randomBytes } from 'node:crypto';
import fs from 'node:fs/promises';
import path from 'node:path';
import { Readable } from 'node:stream';
import { fileDigest, fsyncDirectory, isErrno, writeAndSync } from '../storage/stream-helpers';
import type { RenderedConfig } from './node-configs';
import { explainWriteError } from './node-errors';
import { stagedPath } from './node-staging';
import { DigestCache } from './digest-cache';
import { modelFile, modelsDir, removeEmptyParents } from './model-inventory';

/**
 * A deployment on one node as a small transaction, like Mender's A/B update but per file:
 * staged files are put in place only after a journal names every file about to be replaced and
 * where its previous content is kept, so the node can be put back exactly as it was (a failed
 * restart or health check) and any step can run again after a crash. The journal and the
 * previous contents live under <root>/.sluice/deployments/<id>/ until the deployment is finished
 * or rolled back.
 */

export interface ModelFileToInstall {
  readonly model: string;
  readonly version: string;
  readonly path: string;
  readonly sha256: string;
}

interface JournalEntry {
  readonly dest: string;
  /** Where the file's previous content is kept; null when there was no file (it is removed on rollback). */
  readonly backup: string | null;
}

const DEPLOYMENT_ID = /^[A-Za-z0-9][A-Za-z0-9_-]{0,127}$/;
/** Deployment directories no workflow came back for (a terminated run) go after this long. */
const STALE_AFTER_MS = 7 * 24 * 3_600_000;

export function deploymentDir(root: string, deployment: string): string {
  if (!DEPLOYMENT_ID.test(deployment)) throw new Error(`"${deployment}" is not a deployment id`);
  return path.join(root, '.sluice', 'deployments', deployment);
}

export const stagingDir = (root: string, deployment: string) => path.join(deploymentDir(root, deployment), 'staging');

/** Puts the staged model files and the rendered configs in place, keeping what they replace. */
export async function activate(root: string, deployment: string, models: readonly ModelFileToInstall[], configs: readonly RenderedConfig[]): Promise<{ files: number; configs: number }> {
  const dir = deploymentDir(root, deployment);
  const wanted = [
    ...models.map((file) => ({ dest: modelFile(root, file), sha256: file.sha256, isModel: true, place: (temp: string) => linkOrCopy(stagedPath(stagingDir(root, deployment), file.sha256), temp) })),
    ...configs.map((config) => ({ dest: config.path, sha256: config.sha256, isModel: false, place: (temp: string) => writeAndSync(Readable.from([Buffer.from(config.content)]), temp).then(() => undefined) })),
  ];
  const journal = (await readJournal(dir)) ?? (await writeJournal(dir, wanted));
  if (journal.length !== wanted.length || journal.some((entry, i) => entry.dest !== wanted[i]!.dest)) {
    throw new Error(`deployment ${deployment} was activated with other files before; roll it back first`);
  }
  const digests = await DigestCache.open(root);
  for (const [i, file] of wanted.entries()) {
    const entry = journal[i]!;
    const current = await fileDigest(file.dest);
    if (current?.sha256 === file.sha256) continue; // placed by an earlier attempt
    try {
      if (entry.backup && current && !(await exists(entry.backup))) await moveFile(file.dest, entry.backup);
      await fs.mkdir(path.dirname(file.dest), { recursive: true });
      const temp = tempBeside(file.dest);
      try {
        await file.place(temp);
        await fs.rename(temp, file.dest);
      } finally {
        await fs.rm(temp, { force: true });
      }
    } catch (err) {
      throw explainWriteError(err, path.dirname(file.dest));
    }
  }
  for (const parent of new Set(wanted.map((file) => path.dirname(file.dest)))) await fsyncDirectory(parent);
  // Every file is in place, so the staged copies are done with. They go before the placed files are
  // remembered: dropping a hard link changes the file's ctime, which would make the entry stale.
  await removeTree(stagingDir(root, deployment));
  // Verified when staged: the next inventory need not read them again.
  for (const file of wanted) if (file.isModel) await digests.remember(file.dest, file.sha256);
  await digests.save({ keepOthers: true });
  return { files: models.length, configs: configs.length };
}

/** Puts back every file the deployment replaced and removes those it added; safe to run again. */
export async function rollBack(root: string, deployment: string): Promise<{ restored: number; removed: number }> {
  const dir = deploymentDir(root, deployment);
  const journal = (await readJournal(dir)) ?? [];
  let restored = 0;
  let removed = 0;
  for (const entry of [...journal].reverse()) {
    if (entry.backup) {
      // No backup means the file was never moved aside: it still holds its previous content.
      if (await exists(entry.backup)) {
        await moveFile(entry.backup, entry.dest);
        restored += 1;
      }
    } else if (await exists(entry.dest)) {
      await fs.rm(entry.dest, { force: true });
      await removeEmptyParents(path.dirname(entry.dest), modelsDir(root));
      removed += 1;
    }
  }
  await removeTree(dir);
  return { restored, removed };
}

/** Once the node is healthy: removes the files no target needs any more, and the deployment's journal and kept copies. */
export async function finish(root: string, deployment: string, remove: readonly { model: string; version: string; path: string }[]): Promise<{ removed: number }> {
  let removed = 0;
  for (const file of remove) {
    const target = modelFile(root, file);
    if (await exists(target)) {
      await fs.rm(target, { force: true });
      removed += 1;
    }
    await removeEmptyParents(path.dirname(target), modelsDir(root));
  }
  await removeTree(deploymentDir(root, deployment));
  return { removed };
}

/** Deployment directories left by runs that were terminated, once old, unless they still hold a journal to roll back. */
export async function pruneStaleDeployments(root: string, now = Date.now()): Promise<string[]> {
  const base = path.join(root, '.sluice', 'deployments');
  const pruned: string[] = [];
  for (const name of await fs.readdir(base).catch(() => [] as string[])) {
    const dir = path.join(base, name);
    const stat = await fs.stat(dir).catch(() => undefined);
    if (!stat?.isDirectory() || now - stat.mtimeMs < STALE_AFTER_MS || (await exists(path.join(dir, 'journal.json')))) continue;
    await fs.rm(dir, { recursive: true, force: true });
    pruned.push(name);
  }
  return pruned;
}

async function readJournal(dir: string): Promise<JournalEntry[] | undefined> {
  try {
    return (JSON.parse(await fs.readFile(path.join(dir, 'journal.json'), 'utf8')) as { entries: JournalEntry[] }).entries;
  } catch (err) {
    if (isErrno(err, 'ENOENT', 'ENOTDIR')) return undefined;
    throw err;
  }
}

/** Like rm -rf, also when a file stands where a directory of the path should be (nothing to remove then). */
async function removeTree(dir: string): Promise<void> {
  try {
    await fs.rm(dir, { recursive: true, force: true });
  } catch (err) {
    if (!isErrno(err, 'ENOTDIR')) throw err;
  }
}

async function writeJournal(dir: string, wanted: readonly { dest: string }[]): Promise<JournalEntry[]> {
  const entries: JournalEntry[] = [];
  for (const [i, { dest }] of wanted.entries()) entries.push({ dest, backup: (await exists(dest)) ? path.join(dir, 'previous', String(i)) : null });
  try {
    await fs.mkdir(path.join(dir, 'previous'), { recursive: true });
  } catch (err) {
    throw explainWriteError(err, dir);
  }
  const temp = tempBeside(path.join(dir, 'journal.json'));
  await writeAndSync(Readable.from([Buffer.from(JSON.stringify({ entries }))]), temp);
  await fs.rename(temp, path.join(dir, 'journal.json'));
  await fsyncDirectory(dir);
  return entries;
}

/** A hard link costs nothing and keeps the staged copy for a retry; a copy where links are refused. */
async function linkOrCopy(from: string, to: string): Promise<void> {
  try {
    await fs.link(from, to);
  } catch (err) {
    if (!isErrno(err, 'EXDEV', 'EPERM', 'ENOTSUP', 'EMLINK')) throw err;
    await fs.copyFile(from, to);
    const handle = await fs.open(to, 'r+');
    await handle.sync().finally(() => handle.close());
  }
}

/** rename, or across filesystems (a config under /etc, its kept copy under the root) a copy renamed into place. */
async function moveFile(from: string, to: string): Promise<void> {
  await fs.mkdir(path.dirname(to), { recursive: true });
  try {
    await fs.rename(from, to);
    return;
  } catch (err) {
    if (!isErrno(err, 'EXDEV')) throw err;
  }
  const temp = tempBeside(to);
  await linkOrCopy(from, temp);
  await fs.rename(temp, to);
  await fs.rm(from);
}

function tempBeside(file: string): string {
  return path.join(path.dirname(file), `.${path.basename(file).slice(0, 100)}.${randomBytes(6).toString('hex')}.part`);
}

function exists(file: string): Promise<boolean> {
  return fs.access(file).then(() => true, () => false);
}
