import fs from 'node:fs';
import http from 'node:http';
import type { AddressInfo } from 'node:net';
import path from 'node:path';
import { gzipSync } from 'node:zlib';
import { IngestFileError } from '../../activities/ingest/errors';
import { SourceBuckets, SourceObjectChangedError } from '../../activities/ingest/source-bucket';
import { UserError } from '../../infra/errors/user-error';
import { NoaaMirror } from '../harness/noaa-mirror';
import { testStack } from '../harness/test-stack-info';

describe('SourceBuckets: reading NOAA\'s buckets or a mirror (real S3 server)', () => {
  const mirror = new NoaaMirror();
  const buckets = new SourceBuckets({ ...(mirror.endpointConfig() as { endpoint: string; region: string; accessKeyId: string; secretAccessKey: string; forcePathStyle: boolean }) });
  let bucket: string;
  const work = () => fs.mkdtempSync(path.join(testStack().workDir, 'source-bucket-'));

  beforeAll(async () => {
    bucket = await mirror.createBucket('source-bucket');
  });
  afterAll(() => {
    buckets.close();
    mirror.close();
  });

  it('lists with ETag and size, and reads byte ranges of exactly the listed version', async () => {
    await mirror.put(bucket, 'a/file.grib2', Buffer.from('0123456789'));
    const listed = [];
    for await (const object of buckets.list(bucket, 'a/')) listed.push(object);
    expect(listed).toEqual([{ key: 'a/file.grib2', etag: expect.stringMatching(/^[0-9a-f-]+$/), size: 10 }]);
    expect((await buckets.getRange(bucket, listed[0]!, 2, 5)).toString()).toBe('2345');

    await mirror.put(bucket, 'a/file.grib2', Buffer.from('abcdefghij'));
    const err = await buckets.getRange(bucket, listed[0]!, 2, 5).catch((e: unknown) => e);
    expect(err).toBeInstanceOf(SourceObjectChangedError);
    expect((err as Error).message).toMatch(/replaced since it was listed/);
  });

  it('answers undefined for a missing inventory, and refuses one over its size limit', async () => {
    expect(await buckets.getSmall(bucket, 'no/such.idx', 100)).toBeUndefined();
    await mirror.put(bucket, 'big.idx', Buffer.alloc(1000, 0x41));
    await expect(buckets.getSmall(bucket, 'big.idx', 999)).rejects.toThrow(IngestFileError);
  });

  it('streams gzipped objects through gunzip to disk, and stops a gzip bomb at its limit', async () => {
    await mirror.put(bucket, 'm/ok.gz', gzipSync(Buffer.from('GRIB...7777')));
    const [ok] = await all(buckets.list(bucket, 'm/ok'));
    const file = path.join(work(), 'ok');
    expect(await buckets.download(bucket, ok!, file, { gunzip: true, maxBytes: 100 })).toBe(11);
    expect(fs.readFileSync(file, 'utf8')).toBe('GRIB...7777');

    await mirror.put(bucket, 'm/bomb.gz', gzipSync(Buffer.alloc(50 * 1024 ** 2)));
    const [bomb] = await all(buckets.list(bucket, 'm/bomb'));
    expect(bomb!.size).toBeLessThan(100 * 1024);
    await expect(buckets.download(bucket, bomb!, path.join(work(), 'bomb'), { gunzip: true, maxBytes: 1024 ** 2 })).rejects.toThrow(/larger than the 1048576 bytes allowed/);

    await mirror.put(bucket, 'm/notgz.gz', Buffer.from('plain text'));
    const [plain] = await all(buckets.list(bucket, 'm/notgz'));
    await expect(buckets.download(bucket, plain!, path.join(work(), 'plain'), { gunzip: true, maxBytes: 100 })).rejects.toThrow(/is not valid gzip/);
  });

  it('names the bucket when it does not exist, and the fix when access is denied', async () => {
    await expect(all(buckets.list('no-such-bucket-here', ''))).rejects.toThrow(UserError);
    const anonymous = new SourceBuckets({ endpoint: testStack().s3.endpoint, region: 'us-east-1', forcePathStyle: true });
    try {
      const err = await all(anonymous.list(bucket, '')).catch((e: unknown) => e);
      expect(err).toBeInstanceOf(UserError);
      expect((err as UserError).hint).toMatch(/accessKeyId/);
    } finally {
      anonymous.close();
    }
  });

  it('sends no Authorization header without credentials, as NOAA\'s public buckets expect', async () => {
    const seen: (string | undefined)[] = [];
    const server = http.createServer((request, response) => {
      seen.push(request.headers.authorization);
      response.setHeader('content-type', 'application/xml');
      response.end('<?xml version="1.0"?><ListBucketResult><Name>b</Name><KeyCount>0</KeyCount><IsTruncated>false</IsTruncated></ListBucketResult>');
    });
    await new Promise<void>((resolve) => server.listen(0, '127.0.0.1', resolve));
    const anonymous = new SourceBuckets({ endpoint: `http://127.0.0.1:${(server.address() as AddressInfo).port}`, region: 'us-east-1', forcePathStyle: true });
    try {
      expect(await all(anonymous.list('noaa-gfs-bdp-pds', 'gfs.20240501/'))).toEqual([]);
      expect(seen).toEqual([undefined]);
    } finally {
      anonymous.close();
      server.close();
    }
  });
});

async function all<T>(items: AsyncIterable<T>): Promise<T[]> {
  const out: T[] = [];
  for await (const item of items) out.push(item);
  return out;
}
