import { ListMultipartUploadsCommand, S3Client } from '@aws-sdk/client-s3';
import { createHash, randomBytes } from 'node:crypto';
import fs from 'node:fs/promises';
import path from 'node:path';
import { inspect } from 'node:util';
import { createObjectStore } from '../../activities/storage/create-object-store';
import { InvalidObjectKeyError } from '../../activities/storage/object-key';
import { ObjectKeyConflictError, type ObjectStore } from '../../activities/storage/object-store';
import { S3ObjectStore, type S3StoreSettings, type S3StoreTuning } from '../../activities/storage/s3-object-store';
import { UserError } from '../../infra/errors/user-error';
import { findFreePort } from '../../infra/stack/wait-for';
import { describeObjectStoreContract } from '../contract/object-store-contract';
import { testStack } from '../harness/test-stack-info';

/** The run's shared versitygw (started by the jest global setup), with a bucket tests may write to. */
const target = testStack().s3;
const stores: S3ObjectStore[] = [];

afterAll(() => {
  for (const store of stores) store.close();
});

function settingsFor(overrides: Partial<S3StoreSettings> = {}): S3StoreSettings {
  if (!target) throw new Error('the S3 server did not start');
  return {
    endpoint: target.endpoint,
    region: target.region,
    bucket: target.bucket,
    accessKeyId: target.accessKey,
    secretAccessKey: target.secretKey,
    forcePathStyle: true,
    // A prefix per store keeps parallel test files (sharing one server) apart, and tests prefix handling.
    prefix: `test-${randomBytes(4).toString('hex')}/`,
    ...overrides,
  };
}

function makeS3Store(overrides: Partial<S3StoreSettings> = {}, tuning: S3StoreTuning = {}): S3ObjectStore {
  const store = new S3ObjectStore(settingsFor(overrides), tuning);
  stores.push(store);
  return store;
}

async function emptyStore(store: ObjectStore): Promise<void> {
  const keys: string[] = [];
  for await (const info of store.list('')) keys.push(info.key);
  await store.deleteMany(keys);
}

describeObjectStoreContract('S3ObjectStore on versitygw', async () => {
  const store = makeS3Store();
  return { store, cleanup: () => emptyStore(store) };
});

describe('S3ObjectStore (S3 only)', () => {
  it('describes itself by bucket, prefix and endpoint', () => {
    const store = makeS3Store({ prefix: 'sluice/' });
    expect(store.description).toBe(`s3://${target?.bucket}/sluice/ at ${target?.endpoint}`);
    expect(store.description).not.toContain(target?.secretKey);
  });

  it('keeps objects under its prefix and strips it when listing', async () => {
    const prefix = `pfx-${randomBytes(4).toString('hex')}/`;
    const prefixed = makeS3Store({ prefix });
    const bare = makeS3Store({ prefix: '' });
    await prefixed.put('inside.txt', 'x');
    expect(await listKeys(prefixed, '')).toEqual(['inside.txt']);
    expect(await bare.head(`${prefix}inside.txt`)).toMatchObject({ size: 1 });
    await bare.delete(`${prefix}inside.txt`);
    expect(await prefixed.head('inside.txt')).toBeUndefined();
  });

  it('pages through listings with continuation tokens', async () => {
    const store = makeS3Store({}, { listPageSize: 3 });
    const keys = Array.from({ length: 10 }, (_, i) => `page/${i}`);
    for (const key of keys) await store.put(key, key);
    expect(await listKeys(store, 'page/')).toEqual(keys);
    await emptyStore(store);
  });

  it('reports single-part ETags as unquoted MD5 hex', async () => {
    const store = makeS3Store();
    const body = Buffer.from('etag me');
    const put = await store.put('etag.txt', body);
    const md5 = createHash('md5').update(body).digest('hex');
    expect(put.etag).toBe(md5);
    expect((await store.head('etag.txt'))?.etag).toBe(md5);
    await emptyStore(store);
  });

  it('uploads a large file in parts, hashing it on the way, and leaves no unfinished upload behind', async () => {
    const store = makeS3Store({ prefix: `multipart-${Date.now().toString(36)}/` }, { multipartThreshold: 6 * 2 ** 20, partSize: 5 * 2 ** 20 });
    const dir = await fs.mkdtemp(path.join(testStack().workDir, 'multipart-'));
    const file = path.join(dir, 'big.bin');
    const content = randomBytes(12 * 2 ** 20 + 123);
    await fs.writeFile(file, content);

    const put = await store.putFile('big.bin', file);
    expect(put.size).toBe(content.length);
    expect(put.sha256).toBe(createHash('sha256').update(content).digest('hex'));
    // S3 marks a multipart object's ETag with its part count: 5 + 5 + 2 MiB.
    expect(put.etag).toMatch(/-3$/);
    const back = path.join(dir, 'back.bin');
    expect(await store.getToFile('big.bin', back)).toEqual({ size: content.length, sha256: put.sha256 });

    const client = new S3Client({ endpoint: target.endpoint, region: target.region, forcePathStyle: true, credentials: { accessKeyId: target.accessKey, secretAccessKey: target.secretKey } });
    const { Uploads } = await client.send(new ListMultipartUploadsCommand({ Bucket: target.bucket }));
    client.destroy();
    expect(Uploads ?? []).toEqual([]);
    await emptyStore(store);
  });

  it('maps a key that would be a file and a directory at once to ObjectKeyConflictError (posix backend)', async () => {
    const store = makeS3Store();
    await store.put('x', 'file');
    await expect(store.put('x/y', 'below a file')).rejects.toBeInstanceOf(ObjectKeyConflictError);
    await emptyStore(store);
  });

  it('counts the prefix against the 1024-byte key limit', async () => {
    const store = makeS3Store({ prefix: `${'p'.repeat(1000)}/` });
    await expect(store.put('k'.repeat(100), 'x')).rejects.toBeInstanceOf(InvalidObjectKeyError);
  });

  it('rejects an invalid prefix or half the credentials at construction', () => {
    expect(() => new S3ObjectStore(settingsFor({ prefix: '../up/' }))).toThrow(/storage\.s3\.prefix/);
    expect(() => new S3ObjectStore(settingsFor({ secretAccessKey: undefined }))).toThrow(/storage\.s3\.secretAccessKey/);
  });

  it('is what createObjectStore builds for kind "s3"', async () => {
    const store = createObjectStore({ kind: 's3', s3: settingsFor() });
    expect(store).toBeInstanceOf(S3ObjectStore);
    await store.check();
    store.close();
  });

  describe('check() explains configuration mistakes', () => {
    it('wrong secret → storage.s3.secretAccessKey, without the secret', async () => {
      const wrongSecret = `wrong-${randomBytes(8).toString('hex')}`;
      const err = await failureOf(makeS3Store({ secretAccessKey: wrongSecret }).check());
      expect(err).toBeInstanceOf(UserError);
      expect(`${err.message} ${err.hint}`).toContain('storage.s3.secretAccessKey');
      // Not in the message, the hint, nor anywhere in the error with its causes, as a log would show it.
      const everything = `${err.message} ${err.hint} ${inspect(err, { depth: 10 })} ${JSON.stringify(err)}`;
      expect(everything).not.toContain(wrongSecret);
      expect(everything).not.toContain(target?.secretKey);
    });

    it('unknown access key → storage.s3.accessKeyId', async () => {
      const err = await failureOf(makeS3Store({ accessKeyId: 'nobody' }).check());
      expect(err).toBeInstanceOf(UserError);
      expect(`${err.message} ${err.hint}`).toContain('storage.s3.accessKeyId');
      expect(inspect(err, { depth: 10 })).not.toContain(target?.secretKey);
    });

    it('missing bucket → storage.s3.bucket', async () => {
      const err = await failureOf(makeS3Store({ bucket: 'no-such-bucket' }).check());
      expect(err).toBeInstanceOf(UserError);
      expect(err.message).toContain('no-such-bucket');
      expect(err.hint).toContain('storage.s3.bucket');
    });

    it('endpoint on a closed port → storage.s3.endpoint', async () => {
      const port = await findFreePort();
      const started = Date.now();
      const err = await failureOf(makeS3Store({ endpoint: `http://127.0.0.1:${port}` }).check());
      expect(err).toBeInstanceOf(UserError);
      expect(err.message).toContain(`http://127.0.0.1:${port}`);
      expect(err.message).toContain('ECONNREFUSED');
      expect(err.hint).toContain('storage.s3.endpoint');
      expect(Date.now() - started).toBeLessThan(10_000);
    });

    it('unresolvable host → storage.s3.endpoint', async () => {
      const err = await failureOf(makeS3Store({ endpoint: 'http://no-such-host.invalid:7070' }).check());
      expect(err).toBeInstanceOf(UserError);
      expect(err.hint).toContain('storage.s3.endpoint');
    });
  });

  it('rejects invalid keys without contacting the server', async () => {
    // Nothing listens there: any I/O would fail with a network error, not InvalidObjectKeyError.
    const store = makeS3Store({ endpoint: `http://127.0.0.1:${await findFreePort()}` });
    await expect(store.put('../x', 'x')).rejects.toBeInstanceOf(InvalidObjectKeyError);
    await expect(store.get('a//b')).rejects.toBeInstanceOf(InvalidObjectKeyError);
    await expect(store.deleteMany(['fine', '/abs'])).rejects.toBeInstanceOf(InvalidObjectKeyError);
    await expect(listKeys(store, '../')).rejects.toBeInstanceOf(InvalidObjectKeyError);
  });
});

async function failureOf(promise: Promise<unknown>): Promise<UserError> {
  const outcome = await promise.then(
    () => undefined,
    (err: unknown) => err,
  );
  if (outcome === undefined) throw new Error('expected a failure, but it succeeded');
  return outcome as UserError;
}

async function listKeys(store: ObjectStore, prefix: string): Promise<string[]> {
  const keys: string[] = [];
  for await (const info of store.list(prefix)) keys.push(info.key);
  return keys;
}
