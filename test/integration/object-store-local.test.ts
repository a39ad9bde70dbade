import fs from 'node:fs/promises';
import os from 'node:os';
import path from 'node:path';
import { Readable } from 'node:stream';
import { LocalObjectStore, ObjectPathEscapeError } from '../../activities/storage/local-object-store';
import { InvalidObjectKeyError } from '../../activities/storage/object-key';
import { ObjectKeyConflictError, ObjectNotFoundError, type ObjectStore } from '../../activities/storage/object-store';
import { UserError } from '../../infra/errors/user-error';
import { describeObjectStoreContract } from '../contract/object-store-contract';

/** A store over a root that does not exist yet: the store must create it on first use. */
async function makeLocalStore(): Promise<{ store: LocalObjectStore; dir: string; root: string; cleanup(): Promise<void> }> {
  const dir = await fs.mkdtemp(path.join(os.tmpdir(), 'sluice-local-store-'));
  const root = path.join(dir, 'objects');
  return { store: new LocalObjectStore(root), dir, root, cleanup: () => fs.rm(dir, { recursive: true, force: true }) };
}

describeObjectStoreContract('LocalObjectStore', makeLocalStore);

describe('LocalObjectStore (local only)', () => {
  let store: LocalObjectStore;
  let dir: string;
  let root: string;
  let outside: string;
  let cleanup: () => Promise<void>;

  beforeEach(async () => {
    ({ store, dir, root, cleanup } = await makeLocalStore());
    outside = path.join(dir, 'outside');
    await fs.mkdir(outside);
    await fs.writeFile(path.join(outside, 'secret.txt'), 'top secret');
    await store.check();
  });

  afterEach(() => cleanup());

  it('describes itself by its directory', () => {
    expect(store.description).toBe(`local directory ${root}`);
  });

  it('refuses to read, write or delete through a directory symlink that leaves root', async () => {
    await fs.symlink(outside, path.join(root, 'link'));

    await expect(store.put('link/new.txt', 'x')).rejects.toBeInstanceOf(ObjectPathEscapeError);
    await expect(store.put('link/sub/dir/new.txt', 'x')).rejects.toBeInstanceOf(ObjectPathEscapeError);
    await expect(store.get('link/secret.txt')).rejects.toBeInstanceOf(ObjectPathEscapeError);
    await expect(store.getStream('link/secret.txt')).rejects.toBeInstanceOf(ObjectPathEscapeError);
    await expect(store.head('link/secret.txt')).rejects.toBeInstanceOf(ObjectPathEscapeError);
    await expect(store.delete('link/secret.txt')).rejects.toBeInstanceOf(ObjectPathEscapeError);
    await expect(collect(store.list('link/'))).rejects.toBeInstanceOf(ObjectPathEscapeError);

    // Nothing was created out there, not even the directories of the nested put.
    expect((await fs.readdir(outside)).sort()).toEqual(['secret.txt']);
    expect(await fs.readFile(path.join(outside, 'secret.txt'), 'utf8')).toBe('top secret');
    expect(await listKeys(store, '')).toEqual([]);
  });

  it('refuses to read through a file symlink that leaves root, and does not list it', async () => {
    await fs.symlink(path.join(outside, 'secret.txt'), path.join(root, 'evil.txt'));
    await expect(store.get('evil.txt')).rejects.toBeInstanceOf(ObjectPathEscapeError);
    await expect(store.getToFile('evil.txt', path.join(dir, 'copy.txt'))).rejects.toBeInstanceOf(ObjectPathEscapeError);
    expect(await listKeys(store, '')).toEqual([]);
  });

  it('says what to do about an escaping symlink', async () => {
    await fs.symlink(outside, path.join(root, 'link'));
    const err = await store.get('link/secret.txt').catch((e: unknown) => e);
    expect(err).toBeInstanceOf(UserError);
    expect((err as UserError).message).toContain('"link/secret.txt"');
    expect((err as UserError).hint).toContain('storage.local.root');
  });

  it('keeps temp files out of listings and reserves the temp directory name', async () => {
    await fs.writeFile(path.join(root, '.tmp', 'abandoned.part'), 'half an upload');
    await store.put('visible.txt', 'x');
    expect(await listKeys(store, '')).toEqual(['visible.txt']);
    expect(await listKeys(store, '.t')).toEqual([]);
    expect(await listKeys(store, '.tmp/')).toEqual([]);
    await expect(store.put('.tmp/x', 'x')).rejects.toBeInstanceOf(InvalidObjectKeyError);
    await expect(store.get('.tmp/abandoned.part')).rejects.toBeInstanceOf(InvalidObjectKeyError);
    // A successful put leaves nothing behind in the temp directory.
    expect(await fs.readdir(path.join(root, '.tmp'))).toEqual(['abandoned.part']);
    // ".tmp" is reserved only at the top.
    await store.put('nested/.tmp/ok.txt', 'x');
    expect(await listKeys(store, 'nested/')).toEqual(['nested/.tmp/ok.txt']);
  });

  it('removes directories emptied by deletes, up to but not including root', async () => {
    await store.put('a/b/c/d.txt', 'x');
    await store.put('a/keep.txt', 'x');
    await store.delete('a/b/c/d.txt');
    expect(await exists(path.join(root, 'a', 'b'))).toBe(false);
    expect(await exists(path.join(root, 'a', 'keep.txt'))).toBe(true);
    await store.deleteMany(['a/keep.txt']);
    expect(await exists(path.join(root, 'a'))).toBe(false);
    expect(await exists(root)).toBe(true);
    expect((await fs.readdir(root)).sort()).toEqual(['.tmp']);
  });

  it('stores objects as plain files at their key path', async () => {
    await store.put('x/y z/ü.txt', 'plain');
    expect(await fs.readFile(path.join(root, 'x', 'y z', 'ü.txt'), 'utf8')).toBe('plain');
  });

  it('cannot hold an object and a "folder" of the same name', async () => {
    await store.put('x', 'file');
    await expect(store.put('x/y', 'under a file')).rejects.toBeInstanceOf(ObjectKeyConflictError);
    await store.put('p/q', 'inside');
    await expect(store.put('p', 'over a folder')).rejects.toBeInstanceOf(ObjectKeyConflictError);
    expect(await listKeys(store, '')).toEqual(['p/q', 'x']);
    expect(await fs.readdir(path.join(root, '.tmp'))).toEqual([]);
  });

  it('leaves no object and no temp file when the body stream fails', async () => {
    async function* failing() {
      yield Buffer.from('some bytes');
      throw new Error('source broke');
    }
    await expect(store.put('broken.bin', Readable.from(failing()))).rejects.toThrow('source broke');
    await expect(store.get('broken.bin')).rejects.toBeInstanceOf(ObjectNotFoundError);
    expect(await fs.readdir(path.join(root, '.tmp'))).toEqual([]);
  });

  it('skips files whose names no key can address', async () => {
    await fs.writeFile(path.join(root, 'back\\slash.txt'), 'x');
    await fs.writeFile(path.join(root, 'ctrl\u0001.txt'), 'x');
    await store.put('fine.txt', 'x');
    expect(await listKeys(store, '')).toEqual(['fine.txt']);
  });

  it('check() fails with a hint when root cannot be created', async () => {
    const blocker = path.join(dir, 'a-file');
    await fs.writeFile(blocker, 'not a directory');
    const broken = new LocalObjectStore(path.join(blocker, 'objects'));
    const err = await broken.check().catch((e: unknown) => e);
    expect(err).toBeInstanceOf(UserError);
    expect((err as UserError).message).toContain(path.join(blocker, 'objects'));
    expect((err as UserError).hint).toContain('storage.local.root');
  });

  it('rejects an invalid key without creating root', async () => {
    const fresh = new LocalObjectStore(path.join(dir, 'not-yet'));
    await expect(fresh.put('../x', 'x')).rejects.toBeInstanceOf(InvalidObjectKeyError);
    expect(await exists(path.join(dir, 'not-yet'))).toBe(false);
    expect(await exists(path.join(dir, 'x'))).toBe(false);
  });

  it('lists nothing (rather than failing) before root exists', async () => {
    const fresh = new LocalObjectStore(path.join(dir, 'not-yet'));
    expect(await listKeys(fresh, '')).toEqual([]);
    expect(await fresh.head('a')).toBeUndefined();
    await expect(fresh.delete('a')).resolves.toBeUndefined();
  });
});

async function collect<T>(items: AsyncIterable<T>): Promise<T[]> {
  const all: T[] = [];
  for await (const item of items) all.push(item);
  return all;
}

async function listKeys(store: ObjectStore, prefix: string): Promise<string[]> {
  return (await collect(store.list(prefix))).map((o) => o.key);
}

async function exists(file: string): Promise<boolean> {
  return fs.stat(file).then(
    () => true,
    () => false,
  );
}
