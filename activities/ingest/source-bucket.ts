import fs from 'node:fs';
import path from 'node:path';
import { pipeline } from 'node:stream/promises';
import { createGunzip } from 'node:zlib';
import { GetObjectCommand, ListObjectsV2Command, S3Client, S3ServiceException } from '@aws-sdk/client-s3';
import type { IngestConfig } from '../../infra/config/ingest-schema';
import { UserError } from '../../infra/errors/user-error';
import { ByteLimit } from './byte-limit';
import { IngestFileError } from './errors';

/** An object in a source bucket, as a listing reports it. */
export interface SourceObject {
  readonly key: string;
  /** Without quotes. */
  readonly etag: string;
  readonly size: number;
}

/** The object changed (new ETag) between the plan and the download: the next run ingests the new one. */
export class SourceObjectChangedError extends UserError {
  override name = 'SourceObjectChangedError';
  constructor(message: string) {
    // A UserError, so it is not retried: the same request would fail the same way. Not quarantined.
    super(message, 'Nothing to do: the next run lists the object again and ingests its new version.');
  }
}

/**
 * Read-only access to NOAA's buckets, or to a mirror of them on any S3-compatible endpoint. NOAA's
 * Open Data buckets are public, so requests go unsigned unless credentials are configured (the AWS
 * CLI's --no-sign-request). Every download names the ETag the plan saw (If-Match), so bytes of two
 * versions of a file can never be mixed.
 */
export class SourceBuckets {
  private readonly client: S3Client;
  readonly endpoint: string;

  constructor(settings: IngestConfig['noaa']) {
    const credentials = settings.accessKeyId && settings.secretAccessKey ? { accessKeyId: settings.accessKeyId, secretAccessKey: settings.secretAccessKey } : undefined;
    this.endpoint = settings.endpoint ?? `AWS S3 (${settings.region})`;
    this.client = new S3Client({
      endpoint: settings.endpoint,
      region: settings.region,
      forcePathStyle: settings.forcePathStyle,
      // Unsigned: no credential lookup, no Authorization header. Public buckets answer such requests.
      ...(credentials ? { credentials } : { credentials: { accessKeyId: '', secretAccessKey: '' }, signer: { sign: async (request) => request } }),
      maxAttempts: 3,
      requestHandler: { connectionTimeout: 5_000, socketTimeout: 60_000 },
      requestChecksumCalculation: 'WHEN_REQUIRED',
      responseChecksumValidation: 'WHEN_REQUIRED',
    });
  }

  /** Every object under the prefix, in key order, page by page. */
  async *list(bucket: string, prefix: string): AsyncGenerator<SourceObject> {
    let token: string | undefined;
    do {
      const page = await this.send(bucket, prefix, () => this.client.send(new ListObjectsV2Command({ Bucket: bucket, Prefix: prefix, ContinuationToken: token })));
      for (const item of page.Contents ?? []) {
        if (item.Key === undefined) continue;
        yield { key: item.Key, etag: unquote(item.ETag), size: item.Size ?? 0 };
      }
      token = page.IsTruncated ? page.NextContinuationToken : undefined;
    } while (token);
  }

  /** A small object (an .idx inventory) in memory, or undefined when it does not exist. */
  async getSmall(bucket: string, key: string, maxBytes: number): Promise<Buffer | undefined> {
    const response = await this.send(bucket, key, () => this.client.send(new GetObjectCommand({ Bucket: bucket, Key: key })), true);
    if (!response) return undefined;
    const chunks: Buffer[] = [];
    const limit = new ByteLimit(maxBytes, `s3://${bucket}/${key}`);
    for await (const chunk of response.Body as AsyncIterable<Buffer>) {
      limit.add(chunk.length);
      chunks.push(chunk);
    }
    return Buffer.concat(chunks);
  }

  /** Bytes start..end (inclusive) of one version of an object. */
  async getRange(bucket: string, object: SourceObject, start: number, end: number): Promise<Buffer> {
    const response = await this.send(bucket, object.key, () =>
      this.client.send(new GetObjectCommand({ Bucket: bucket, Key: object.key, Range: `bytes=${start}-${end}`, IfMatch: quoteEtag(object.etag) })),
    );
    const chunks: Buffer[] = [];
    const limit = new ByteLimit(end - start + 1, `bytes ${start}-${end} of s3://${bucket}/${object.key}`);
    for await (const chunk of response.Body as AsyncIterable<Buffer>) {
      limit.add(chunk.length);
      chunks.push(chunk);
    }
    const body = Buffer.concat(chunks);
    if (body.length !== end - start + 1) {
      throw new Error(`s3://${bucket}/${object.key}: asked for ${end - start + 1} bytes (${start}-${end}), got ${body.length}; the server ignored or cut the range`);
    }
    return body;
  }

  /**
   * Streams one version of an object to a file, gunzipping on the way when asked (MRMS), never
   * holding it in memory; at most maxBytes are written (a gzip bomb stops there).
   */
  async download(bucket: string, object: SourceObject, filePath: string, options: { gunzip?: boolean; maxBytes: number; onProgress?: (bytes: number) => void }): Promise<number> {
    const response = await this.send(bucket, object.key, () => this.client.send(new GetObjectCommand({ Bucket: bucket, Key: object.key, IfMatch: quoteEtag(object.etag) })));
    await fs.promises.mkdir(path.dirname(filePath), { recursive: true });
    const limit = new ByteLimit(options.maxBytes, `s3://${bucket}/${object.key}${options.gunzip ? ' (unzipped)' : ''}`, options.onProgress);
    const body = response.Body as NodeJS.ReadableStream;
    try {
      if (options.gunzip) await pipeline(body, createGunzip(), limit.stream(), fs.createWriteStream(filePath));
      else await pipeline(body, limit.stream(), fs.createWriteStream(filePath));
    } catch (err) {
      if ((err as { code?: string }).code?.startsWith('Z_')) {
        throw new IngestFileError(`s3://${bucket}/${object.key} is not valid gzip: ${(err as Error).message}`);
      }
      throw err;
    }
    return limit.total;
  }

  close(): void {
    this.client.destroy();
  }

  private async send<T>(bucket: string, key: string, request: () => Promise<T>, missingIsUndefined: true): Promise<T | undefined>;
  private async send<T>(bucket: string, key: string, request: () => Promise<T>): Promise<T>;
  private async send<T>(bucket: string, key: string, request: () => Promise<T>, missingIsUndefined = false): Promise<T | undefined> {
    try {
      return await request();
    } catch (err) {
      if (!(err instanceof S3ServiceException)) throw err;
      const where = `s3://${bucket}/${key} at ${this.endpoint}`;
      if (err.name === 'NoSuchKey' || err.$metadata.httpStatusCode === 404) {
        if (err.name === 'NoSuchBucket') throw new UserError(`Bucket ${bucket} does not exist at ${this.endpoint}.`, 'Check the source\'s bucket and ingest.noaa.endpoint in the config.');
        if (missingIsUndefined) return undefined;
        throw new SourceObjectChangedError(`${where} is gone: it was listed a moment ago`);
      }
      if (err.$metadata.httpStatusCode === 412) throw new SourceObjectChangedError(`${where} was replaced since it was listed (its ETag changed)`);
      if (err.$metadata.httpStatusCode === 403) {
        throw new UserError(`Access to ${where} is denied.`, 'NOAA\'s buckets are public; for a mirror, set ingest.noaa.accessKeyId and secretAccessKey.');
      }
      throw err;
    }
  }
}

function unquote(etag: string | undefined): string {
  return (etag ?? '').replace(/^"|"$/g, '');
}

function quoteEtag(etag: string): string {
  return `"${etag}"`;
}
