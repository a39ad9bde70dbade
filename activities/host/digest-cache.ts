import fs from 'node:fs/promises';
import path from 'node:path';
import { Readable } from 'node:stream';
import { fileDigest, fsyncDirectory, isErrno, writeAndSync } from '../storage/stream-helpers';

/**
 * Digests of a node's model files, remembered between inventories the way git's index remembers
 * its files: a digest is reused only while the file's size, mtime, ctime and inode are all
 * unchanged. Any write, rename or chmod moves ctime, which user programs cannot set back, so a
 * changed file is always read again. Without it, every plan re-reads every byte of every model
 * (hundreds of MB per node) just to find that nothing changed.
 */
interface Entry {
  readonly size: string;
  readonly mtimeNs: string;
  readonly ctimeNs: string;
  readonly ino: string;
  readonly sha256: string;
}

export class DigestCache {
  private readonly fresh = new Map<string, Entry>();
  private changed = false;

  private constructor(
    private readonly file: string,
    private readonly known: ReadonlyMap<string, Entry>,
  ) {}

  /** <root>/.sluice/digests.json; a missing or unreadable cache is an empty one. */
  static async open(root: string): Promise<DigestCache> {
    const file = path.join(root, '.sluice', 'digests.json');
    let known = new Map<string, Entry>();
    try {
      known = new Map(Object.entries(JSON.parse(await fs.readFile(file, 'utf8')) as Record<string, Entry>));
    } catch {
      // First inventory, or a damaged cache: every file is read.
    }
    return new DigestCache(file, known);
  }

  /** Size and sha256 of the file, read only if it changed since it was last read; undefined if it is gone. */
  async digest(file: string): Promise<{ size: number; sha256: string } | undefined> {
    const stamp = await stampOf(file);
    if (!stamp) return undefined;
    const cached = this.known.get(file);
    if (cached && cached.size === stamp.size && cached.mtimeNs === stamp.mtimeNs && cached.ctimeNs === stamp.ctimeNs && cached.ino === stamp.ino) {
      this.fresh.set(file, cached);
      return { size: Number(cached.size), sha256: cached.sha256 };
    }
    const digest = await fileDigest(file);
    if (!digest) return undefined;
    // Only if nothing changed while it was read; otherwise it is read again next time.
    const after = await stampOf(file);
    if (after && JSON.stringify(after) === JSON.stringify(stamp)) this.fresh.set(file, { ...stamp, sha256: digest.sha256 });
    this.changed = true;
    return digest;
  }

  /** A file just written with content already verified against `sha256` (a deployment placing it): no need to read it back. */
  async remember(file: string, sha256: string): Promise<void> {
    const stamp = await stampOf(file);
    if (stamp) this.fresh.set(file, { ...stamp, sha256 });
    this.changed = true;
  }

  /**
   * Keeps the entries of the files seen this time, forgetting the others (removed files), or with
   * `keepOthers` (a deployment that placed some files) adds to what was known. Best effort: a root
   * that cannot be written only costs speed.
   */
  async save(options: { keepOthers?: boolean } = {}): Promise<void> {
    if (!this.changed && this.fresh.size === this.known.size) return;
    if (options.keepOthers) for (const [file, entry] of this.known) if (!this.fresh.has(file)) this.fresh.set(file, entry);
    try {
      await fs.mkdir(path.dirname(this.file), { recursive: true });
      const temp = `${this.file}.${process.pid}.part`;
      await writeAndSync(Readable.from([Buffer.from(JSON.stringify(Object.fromEntries(this.fresh)))]), temp);
      await fs.rename(temp, this.file);
      await fsyncDirectory(path.dirname(this.file));
    } catch (err) {
      if (!isErrno(err, 'EACCES', 'EPERM', 'EROFS', 'ENOTDIR', 'ENOSPC', 'EEXIST')) throw err;
    }
  }
}

async function stampOf(file: string): Promise<Omit<Entry, 'sha256'> | undefined> {
  try {
    const stat = await fs.stat(file, { bigint: true });
    return { size: String(stat.size), mtimeNs: String(stat.mtimeNs), ctimeNs: String(stat.ctimeNs), ino: String(stat.ino) };
  } catch (err) {
    if (isErrno(err, 'ENOENT', 'ENOTDIR')) return undefined;
    throw err;
  }
}
