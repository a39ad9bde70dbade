import { createHash, randomBytes } from 'node:crypto';
import { once } from 'node:events';
import { createWriteStream } from 'node:fs';
import fs from 'node:fs/promises';
import os from 'node:os';
import path from 'node:path';
import { Readable } from 'node:stream';
import { finished } from 'node:stream/promises';
import { InvalidObjectKeyError } from '../../activities/storage/object-key';
import { ObjectNotFoundError, type ObjectInfo, type ObjectStore } from '../../activities/storage/object-store';

/**
 * What every ObjectStore backend must do, as one describe block. Each backend's test file calls
 * this with a factory; each test works under its own key prefix, so a store may be shared with
 * other test files (a shared S3 server) without tests seeing each other's objects.
 */
export interface StoreUnderTest {
  store: ObjectStore;
  cleanup(): Promise<void>;
}

const BIG_FILE_BYTES = 20 * 1024 * 1024;
/** More than one S3 list page (1000) and one DeleteObjects batch (1000). */
const MANY_OBJECTS = 1100;

export function describeObjectStoreContract(name: string, makeStore: () => Promise<StoreUnderTest>): void {
  describe(`ObjectStore contract: ${name}`, () => {
    let store: ObjectStore;
    let cleanup: (() => Promise<void>) | undefined;
    let scratch: string;
    let counter = 0;
    /** A fresh prefix per test, so listings only see that test's objects. */
    const fresh = () => `t${++counter}-${randomBytes(4).toString('hex')}/`;

    beforeAll(async () => {
      ({ store, cleanup } = await makeStore());
      scratch = await fs.mkdtemp(path.join(os.tmpdir(), 'sluice-contract-'));
    });

    afterAll(async () => {
      await cleanup?.();
      if (scratch) await fs.rm(scratch, { recursive: true, force: true });
    });

    it('describes itself', () => {
      expect(store.description).toEqual(expect.any(String));
      expect(store.description.length).toBeGreaterThan(0);
    });

    it('passes check()', async () => {
      await expect(store.check()).resolves.toBeUndefined();
    });

    it('round-trips a Buffer', async () => {
      const key = `${fresh()}buffer.bin`;
      const body = randomBytes(4096);
      const result = await store.put(key, body, { contentType: 'application/octet-stream' });
      expect(result).toMatchObject({ key, size: body.length, sha256: sha256(body) });
      expect((await store.get(key)).equals(body)).toBe(true);
      expect(await store.head(key)).toMatchObject({ key, size: body.length, lastModified: expect.any(Date) });
    });

    it('round-trips a string as UTF-8', async () => {
      const key = `${fresh()}text.txt`;
      const text = 'héllo wörld 🚀\n';
      const result = await store.put(key, text, { contentType: 'text/plain; charset=utf-8' });
      expect(result.size).toBe(Buffer.byteLength(text));
      expect(result.sha256).toBe(sha256(Buffer.from(text)));
      expect((await store.get(key)).toString('utf8')).toBe(text);
    });

    it('round-trips a stream of unknown length', async () => {
      const key = `${fresh()}stream.bin`;
      const chunks = Array.from({ length: 50 }, (_, i) => randomBytes(1000 + i));
      const body = Buffer.concat(chunks);
      const result = await store.put(key, Readable.from(chunks));
      expect(result).toMatchObject({ key, size: body.length, sha256: sha256(body) });
      expect((await store.get(key)).equals(body)).toBe(true);
      expect((await readAll(await store.getStream(key))).equals(body)).toBe(true);
    });

    it('streams from an offset, to resume an interrupted transfer', async () => {
      const key = `${fresh()}resume.bin`;
      const body = randomBytes(70_000);
      await store.put(key, body);
      expect((await readAll(await store.getStream(key, { start: 65_537 }))).equals(body.subarray(65_537))).toBe(true);
      expect((await readAll(await store.getStream(key, { start: 69_999 }))).equals(body.subarray(69_999))).toBe(true);
      expect((await readAll(await store.getStream(key, { start: 0 }))).equals(body)).toBe(true);
    });

    it('keeps binary content with every byte value intact', async () => {
      const key = `${fresh()}all-bytes.bin`;
      const body = Buffer.concat([allByteValues(), allByteValues().reverse(), Buffer.from('\r\n\r\n\0\0')]);
      await store.put(key, body);
      expect((await store.get(key)).equals(body)).toBe(true);
      const target = path.join(scratch, 'all-bytes.bin');
      expect(await store.getToFile(key, target)).toEqual({ size: body.length, sha256: sha256(body) });
      expect((await fs.readFile(target)).equals(body)).toBe(true);
    });

    it('streams a ~20 MB file through putFile and getToFile with matching sha256', async () => {
      const prefix = fresh();
      const source = path.join(scratch, 'big-source.bin');
      const expected = await writeRandomFile(source, BIG_FILE_BYTES);

      const put = await store.putFile(`${prefix}big.bin`, source, { contentType: 'application/octet-stream' });
      expect(put).toMatchObject({ key: `${prefix}big.bin`, size: BIG_FILE_BYTES, sha256: expected });
      expect((await store.head(`${prefix}big.bin`))?.size).toBe(BIG_FILE_BYTES);

      const targetDir = path.join(scratch, 'download', 'nested');
      const target = path.join(targetDir, 'big.bin');
      expect(await store.getToFile(`${prefix}big.bin`, target)).toEqual({ size: BIG_FILE_BYTES, sha256: expected });
      expect(await sha256OfFile(target)).toBe(expected);
      // Atomic download: only the final file remains, no temp file beside it.
      expect(await fs.readdir(targetDir)).toEqual(['big.bin']);

      expect(await sha256OfStream(await store.getStream(`${prefix}big.bin`))).toBe(expected);
      await fs.rm(source);
      await fs.rm(target);
    });

    it('getToFile replaces an existing file and leaves it alone when the object is missing', async () => {
      const key = `${fresh()}replace.txt`;
      const target = path.join(scratch, 'replace.txt');
      await fs.writeFile(target, 'old contents that are longer than the new ones');
      await store.put(key, 'new');
      await store.getToFile(key, target);
      expect(await fs.readFile(target, 'utf8')).toBe('new');

      await expect(store.getToFile(`${key}.missing`, target)).rejects.toBeInstanceOf(ObjectNotFoundError);
      expect(await fs.readFile(target, 'utf8')).toBe('new');
      const missingTarget = path.join(scratch, 'never-created.txt');
      await expect(store.getToFile(`${key}.missing`, missingTarget)).rejects.toBeInstanceOf(ObjectNotFoundError);
      await expect(fs.stat(missingTarget)).rejects.toMatchObject({ code: 'ENOENT' });
    });

    it('reports a missing object: head → undefined, get/getStream → ObjectNotFoundError', async () => {
      const key = `${fresh()}missing/object.bin`;
      expect(await store.head(key)).toBeUndefined();
      await expect(store.get(key)).rejects.toBeInstanceOf(ObjectNotFoundError);
      await expect(store.get(key)).rejects.toMatchObject({ key });
      await expect(store.getStream(key)).rejects.toBeInstanceOf(ObjectNotFoundError);
    });

    it('treats a "folder" (a prefix of other keys) as no object', async () => {
      const prefix = fresh();
      await store.put(`${prefix}folder/inside.txt`, 'x');
      expect(await store.head(`${prefix}folder`)).toBeUndefined();
      await expect(store.get(`${prefix}folder`)).rejects.toBeInstanceOf(ObjectNotFoundError);
    });

    it('deletes idempotently', async () => {
      const key = `${fresh()}doomed.txt`;
      await store.put(key, 'bye');
      await store.delete(key);
      expect(await store.head(key)).toBeUndefined();
      await expect(store.delete(key)).resolves.toBeUndefined();
      await expect(store.delete(`${key}.never-existed`)).resolves.toBeUndefined();
    });

    it('deletes many, counting missing keys as deleted', async () => {
      const prefix = fresh();
      const keys = ['a', 'b', 'c/d', 'e', 'f'].map((k) => `${prefix}${k}`);
      await Promise.all(keys.map((key) => store.put(key, key)));
      const toDelete = [keys[0], keys[2], keys[3], `${prefix}missing`] as string[];
      const result = await store.deleteMany(toDelete);
      expect(result.failed).toEqual([]);
      expect([...result.deleted].sort()).toEqual([...toDelete].sort());
      expect(await listKeys(store, prefix)).toEqual([keys[1], keys[4]]);
      expect(await store.deleteMany([])).toEqual({ deleted: [], failed: [] });
    });

    it('lists by string prefix, with sizes and dates', async () => {
      const prefix = fresh();
      const bodies: Record<string, string> = { 'p/a': '1', 'p/b/c': '22', 'p/bc': '333', 'q/x': '4444' };
      for (const [key, body] of Object.entries(bodies)) await store.put(prefix + key, body);

      const all = await collect(store.list(prefix));
      expect(all.map((o) => o.key)).toEqual(['p/a', 'p/b/c', 'p/bc', 'q/x'].map((k) => prefix + k));
      for (const info of all) {
        expect(info.size).toBe(Buffer.byteLength(bodies[info.key.slice(prefix.length)] ?? ''));
        expect(info.lastModified).toBeInstanceOf(Date);
        expect(Math.abs(info.lastModified.getTime() - Date.now())).toBeLessThan(10 * 60_000);
      }
      expect(await listKeys(store, `${prefix}p/`)).toEqual(['p/a', 'p/b/c', 'p/bc'].map((k) => prefix + k));
      // Not a directory listing: "p/b" also matches "p/bc".
      expect(await listKeys(store, `${prefix}p/b`)).toEqual(['p/b/c', 'p/bc'].map((k) => prefix + k));
      expect(await listKeys(store, `${prefix}p/b/`)).toEqual([`${prefix}p/b/c`]);
      expect(await listKeys(store, `${prefix}nothing/`)).toEqual([]);
      expect(await listKeys(store, `${prefix}p/a`)).toEqual([`${prefix}p/a`]);
    });

    it('lists in S3 order: by the UTF-8 bytes of the whole key', async () => {
      const prefix = fresh();
      // "/" sorts after "-" and "." but before "0": a per-directory walk gets this wrong.
      // U+FF5E sorts before U+1F600 in UTF-8 but after it in UTF-16 (JavaScript's < on strings).
      const names = ['a-c', 'a/b', 'a.b', 'a0', 'A', 'a b', 'é', '\uff5e', '\u{1f600}', 'a/b-c', 'a/b0', 'a/c/x', 'a/c-d', 'a/c0', 'a/c.e/f'];
      for (const name of names) await store.put(prefix + name, name);
      const expected = names.map((n) => prefix + n).sort((x, y) => Buffer.compare(Buffer.from(x), Buffer.from(y)));
      expect(await listKeys(store, prefix)).toEqual(expected);
    });

    it(`lists and deletes ${MANY_OBJECTS} objects (past one S3 page and one delete batch)`, async () => {
      const prefix = fresh();
      const keys = Array.from({ length: MANY_OBJECTS }, (_, i) => `${prefix}item-${String(i).padStart(5, '0')}`);
      // Bounded concurrency: about 3 s against a local versitygw, 1 s on local disk.
      await forEachLimited(keys, 32, (key) => store.put(key, key.slice(-5)));
      const listed = await collect(store.list(prefix));
      expect(listed.map((o) => o.key)).toEqual(keys);
      expect(listed.every((o) => o.size === 5)).toBe(true);

      const result = await store.deleteMany(keys);
      expect(result.failed).toEqual([]);
      expect(result.deleted).toHaveLength(MANY_OBJECTS);
      expect(await listKeys(store, prefix)).toEqual([]);
    }, 30_000);

    it('overwrites: size, content and etag (where the backend has one) change', async () => {
      const key = `${fresh()}overwrite.txt`;
      const first = await store.put(key, 'short');
      const firstHead = await store.head(key);
      const second = await store.put(key, 'a good deal longer than before');
      const secondHead = await store.head(key);
      expect(first.size).toBe(5);
      expect(second.size).toBe(30);
      expect(secondHead?.size).toBe(30);
      expect(second.sha256).not.toBe(first.sha256);
      expect((await store.get(key)).toString()).toBe('a good deal longer than before');
      if (firstHead?.etag !== undefined || secondHead?.etag !== undefined) {
        expect(secondHead?.etag).not.toBe(firstHead?.etag);
        expect(second.etag).toBe(secondHead?.etag);
      }
    });

    it('ends with one whole version when writers race on a key', async () => {
      const key = `${fresh()}raced.bin`;
      const versions = Array.from({ length: 8 }, (_, i) => Buffer.alloc(10_000 + i * 1000, i));
      await Promise.all(versions.map((body) => store.put(key, body)));
      const final = await store.get(key);
      expect(versions.some((body) => body.equals(final))).toBe(true);
    });

    it('handles keys with unicode, spaces and URL-special characters', async () => {
      const prefix = fresh();
      const names = ['dir with space/ünïcödé 文件 🚀.txt', 'trailing space ', "odd %20 +plus &amp; ?q=1#frag ~'\"*", 'emoji 👩‍👩‍👧/x', 'ça/va'];
      for (const name of names) {
        const key = prefix + name;
        await store.put(key, name);
        expect((await store.get(key)).toString()).toBe(name);
        expect((await store.head(key))?.size).toBe(Buffer.byteLength(name));
      }
      const expected = names.map((n) => prefix + n).sort((x, y) => Buffer.compare(Buffer.from(x), Buffer.from(y)));
      expect(await listKeys(store, prefix)).toEqual(expected);
      const result = await store.deleteMany(names.map((n) => prefix + n));
      expect(result.failed).toEqual([]);
      expect(await listKeys(store, prefix)).toEqual([]);
    });

    it('rejects invalid keys before any I/O', async () => {
      const prefix = fresh();
      const victim = `${prefix}victim.txt`;
      await store.put(victim, 'still here');
      const before = await listKeys(store, '');
      const source = path.join(scratch, 'invalid-key-source.txt');
      await fs.writeFile(source, 'payload');
      const target = path.join(scratch, 'invalid-key-target.txt');

      const badKeys = ['', '..', `${prefix}../escape`, '/abs', 'C:\\x', 'a\\b', 'nul\u0000', 'bell\u0007', `${prefix}a//b`, `${prefix}trailing/`, '.', 'k'.repeat(2000)];
      for (const key of badKeys) {
        const calls: [string, () => Promise<unknown>][] = [
          ['put', () => store.put(key, 'payload')],
          ['put stream', () => store.put(key, Readable.from([Buffer.from('payload')]))],
          ['putFile', () => store.putFile(key, source)],
          ['get', () => store.get(key)],
          ['getStream', () => store.getStream(key)],
          ['getToFile', () => store.getToFile(key, target)],
          ['head', () => store.head(key)],
          ['delete', () => store.delete(key)],
          ['deleteMany', () => store.deleteMany([victim, key])],
        ];
        for (const [method, call] of calls) {
          const outcome = await call().then(
            () => 'resolved',
            (err: unknown) => err,
          );
          if (!(outcome instanceof InvalidObjectKeyError)) {
            throw new Error(`${method}(${JSON.stringify(key.slice(0, 40))}) gave ${String(outcome)}, expected InvalidObjectKeyError`);
          }
        }
      }
      for (const badPrefix of ['/', '../', 'a//', 'x\\']) {
        await expect(collect(store.list(badPrefix))).rejects.toBeInstanceOf(InvalidObjectKeyError);
      }

      expect(await listKeys(store, '')).toEqual(before);
      expect((await store.get(victim)).toString()).toBe('still here');
      await expect(fs.stat(target)).rejects.toMatchObject({ code: 'ENOENT' });
    });
  });
}

// -----------------------------------------------------------------------------------------------

function sha256(bytes: Buffer): string {
  return createHash('sha256').update(bytes).digest('hex');
}

function allByteValues(): Buffer {
  return Buffer.from(Array.from({ length: 256 }, (_, i) => i));
}

async function collect(items: AsyncIterable<ObjectInfo>): Promise<ObjectInfo[]> {
  const all: ObjectInfo[] = [];
  for await (const item of items) all.push(item);
  return all;
}

async function listKeys(store: ObjectStore, prefix: string): Promise<string[]> {
  return (await collect(store.list(prefix))).map((o) => o.key);
}

async function readAll(stream: NodeJS.ReadableStream): Promise<Buffer> {
  const chunks: Buffer[] = [];
  for await (const chunk of stream) chunks.push(Buffer.from(chunk));
  return Buffer.concat(chunks);
}

async function sha256OfStream(stream: NodeJS.ReadableStream): Promise<string> {
  const hash = createHash('sha256');
  for await (const chunk of stream) hash.update(chunk);
  return hash.digest('hex');
}

async function sha256OfFile(file: string): Promise<string> {
  const handle = await fs.open(file);
  try {
    return await sha256OfStream(handle.createReadStream());
  } finally {
    await handle.close().catch(() => undefined);
  }
}

/** Writes `size` random bytes a chunk at a time, so the test never holds the whole file either. */
async function writeRandomFile(file: string, size: number): Promise<string> {
  const hash = createHash('sha256');
  const out = createWriteStream(file);
  for (let written = 0; written < size; ) {
    const chunk = randomBytes(Math.min(1024 * 1024, size - written));
    hash.update(chunk);
    written += chunk.length;
    if (!out.write(chunk)) await once(out, 'drain');
  }
  out.end();
  await finished(out);
  return hash.digest('hex');
}

async function forEachLimited<T>(items: T[], limit: number, run: (item: T) => Promise<unknown>): Promise<void> {
  let next = 0;
  const worker = async () => {
    while (next < items.length) {
      const item = items[next++] as T;
      await run(item);
    }
  };
  await Promise.all(Array.from({ length: Math.min(limit, items.length) }, worker));
}
