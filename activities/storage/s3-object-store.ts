import { randomBytes } from 'node:crypto';
import { createReadStream } from 'node:fs';
import fs from 'node:fs/promises';
import os from 'node:os';
import path from 'node:path';
import { pipeline, type Readable } from 'node:stream';
import { setTimeout as sleep } from 'node:timers/promises';
import {
  DeleteObjectCommand,
  DeleteObjectsCommand,
  GetObjectCommand,
  HeadObjectCommand,
  ListObjectsV2Command,
  PutObjectCommand,
  S3Client,
} from '@aws-sdk/client-s3';
import { UserError } from '../../infra/errors/user-error';
import type { Logger } from '../../infra/log/logger';
import { InvalidObjectKeyError, isValidObjectKey, validateKeyPrefix, validateObjectKey } from './object-key';
import {
  ObjectKeyConflictError,
  ObjectNotFoundError,
  type ObjectBody,
  type ObjectInfo,
  type ObjectStore,
  type PutOptions,
  type PutResult,
} from './object-store';
import { uploadInParts } from './s3-multipart-upload';
import { Sha256Meter, sha256Of, toReadable, writeAndSync, writeFileAtomically } from './stream-helpers';

export interface S3StoreSettings {
  /** Absent for AWS itself; e.g. "http://127.0.0.1:7070" for versitygw or MinIO. */
  endpoint?: string;
  bucket: string;
  region: string;
  /** Both or neither; with neither, the AWS SDK's default chain (environment, profile, instance role) applies. */
  accessKeyId?: string;
  secretAccessKey?: string;
  forcePathStyle: boolean;
  /** Prepended to every key (e.g. "sluice/") so sluice can share a bucket; stripped again by list. */
  prefix: string;
}

export interface S3StoreTuning {
  /** Keys per ListObjectsV2 page (S3's maximum and default: 1000); tests lower it to exercise paging. */
  listPageSize?: number;
  /** Files larger than this are uploaded in parts (default 64 MiB; a single PUT takes at most 5 GiB). */
  multipartThreshold?: number;
  /** Size of each part of a multipart upload (default 16 MiB, at least 5 MiB). */
  partSize?: number;
  /** Where put() buffers a stream body to learn its length (S3 needs it up front). Default: the OS temp dir. */
  tempDir?: string;
  /** Receives the SDK's own warnings, which would otherwise go to the console. */
  log?: Logger;
}

/** S3 takes at most 5 GiB in one PUT; from well below that, parts are faster to retry. */
const MULTIPART_THRESHOLD = 64 * 1024 ** 2;
const PART_SIZE = 16 * 1024 ** 2;
/** DeleteObjects accepts at most this many keys per request. */
const DELETE_BATCH = 1000;
/** The SDK does not retry requests with a streamed body (it cannot rewind it); we reopen the file instead. */
const STREAM_UPLOAD_ATTEMPTS = 3;

const NETWORK_CODES = new Set(['ECONNREFUSED', 'ENOTFOUND', 'EAI_AGAIN', 'ETIMEDOUT', 'ECONNRESET', 'EHOSTUNREACH', 'ENETUNREACH', 'EPIPE']);

/** An S3 bucket (AWS, versitygw, MinIO, ...), optionally under a key prefix. */
export class S3ObjectStore implements ObjectStore {
  readonly description: string;
  private readonly client: S3Client;
  private readonly bucket: string;
  private readonly prefix: string;
  private readonly region: string;
  private readonly endpointText: string;
  private readonly pageSize: number;
  private readonly multipartThreshold: number;
  private readonly partSize: number;
  private readonly tempDir: string;

  constructor(settings: S3StoreSettings, tuning: S3StoreTuning = {}) {
    if (settings.prefix) {
      try {
        validateKeyPrefix(settings.prefix);
      } catch (err) {
        if (!(err instanceof InvalidObjectKeyError)) throw err;
        throw new UserError(`storage.s3.prefix ${JSON.stringify(settings.prefix)} ${err.problem}`, 'Set storage.s3.prefix to something like "sluice/", or leave it empty.');
      }
    }
    if (Boolean(settings.accessKeyId) !== Boolean(settings.secretAccessKey)) {
      throw new UserError(
        'Only one of storage.s3.accessKeyId and storage.s3.secretAccessKey is set',
        'Set both storage.s3.accessKeyId and storage.s3.secretAccessKey, or neither to use the AWS default credentials (environment, profile, instance role).',
      );
    }
    this.bucket = settings.bucket;
    this.prefix = settings.prefix;
    this.region = settings.region;
    this.endpointText = settings.endpoint ? safeEndpoint(settings.endpoint) : `AWS S3 (${settings.region})`;
    this.description = `s3://${settings.bucket}/${settings.prefix} at ${this.endpointText}`;
    this.pageSize = tuning.listPageSize ?? 1000;
    this.multipartThreshold = Math.min(tuning.multipartThreshold ?? MULTIPART_THRESHOLD, 5 * 1024 ** 3);
    this.partSize = tuning.partSize ?? PART_SIZE;
    this.tempDir = tuning.tempDir ?? os.tmpdir();
    const log = tuning.log;
    this.client = new S3Client({
      endpoint: settings.endpoint,
      region: settings.region,
      forcePathStyle: settings.forcePathStyle,
      credentials:
        settings.accessKeyId && settings.secretAccessKey
          ? { accessKeyId: settings.accessKeyId, secretAccessKey: settings.secretAccessKey }
          : undefined,
      maxAttempts: 3,
      // connectionTimeout bounds an unreachable endpoint; socketTimeout (idle, not total) bounds a hung
      // server without capping how long a big transfer may take.
      requestHandler: { connectionTimeout: 5_000, socketTimeout: 60_000 },
      // The newer default (CRC trailers on every upload) is not understood by every S3-compatible
      // server; integrity comes from our own sha256 instead.
      requestChecksumCalculation: 'WHEN_REQUIRED',
      responseChecksumValidation: 'WHEN_REQUIRED',
      // Strings only: an object the SDK passes along could be a signed request with its headers.
      logger: {
        debug: () => undefined,
        info: () => undefined,
        warn: (...content: unknown[]) => log?.warn({ s3: content.map(String).join(' ') }, 'S3 client warning'),
        error: (...content: unknown[]) => log?.error({ s3: content.map(String).join(' ') }, 'S3 client error'),
      },
    });
  }

  async put(key: string, body: ObjectBody, options: PutOptions = {}): Promise<PutResult> {
    const fullKey = this.fullKey(key);
    if (typeof body === 'string' || Buffer.isBuffer(body)) {
      const bytes = Buffer.from(body);
      const out = await this.send(key, () =>
        this.client.send(new PutObjectCommand({ Bucket: this.bucket, Key: fullKey, Body: bytes, ContentLength: bytes.length, ContentType: options.contentType })),
      );
      return { key, size: bytes.length, sha256: sha256Of(bytes), etag: unquote(out.ETag) };
    }
    // PutObject needs the length before the first byte; a stream only knows it at its end.
    const scratch = await fs.mkdtemp(path.join(this.tempDir, 'sluice-s3-put-'));
    try {
      const file = path.join(scratch, 'body');
      await writeAndSync(toReadable(body), file, false);
      return await this.uploadFile(key, fullKey, file, options);
    } finally {
      await fs.rm(scratch, { recursive: true, force: true });
    }
  }

  async putFile(key: string, filePath: string, options: PutOptions = {}): Promise<PutResult> {
    return this.uploadFile(key, this.fullKey(key), filePath, options);
  }

  async get(key: string): Promise<Buffer> {
    const body = await this.getBody(key);
    const bytes = await body.transformToByteArray();
    return Buffer.from(bytes.buffer, bytes.byteOffset, bytes.byteLength);
  }

  async getStream(key: string, options: { start?: number } = {}): Promise<NodeJS.ReadableStream> {
    return (await this.getBody(key, options.start)) as Readable;
  }

  async getToFile(key: string, filePath: string): Promise<{ size: number; sha256: string }> {
    const body = (await this.getBody(key)) as Readable;
    return writeFileAtomically(body, filePath);
  }

  async head(key: string): Promise<ObjectInfo | undefined> {
    const fullKey = this.fullKey(key);
    try {
      const out = await this.client.send(new HeadObjectCommand({ Bucket: this.bucket, Key: fullKey }));
      return { key, size: out.ContentLength ?? 0, etag: unquote(out.ETag), lastModified: out.LastModified ?? new Date(0) };
    } catch (err) {
      if (isNotFound(err)) return undefined;
      throw this.mapError(err, key);
    }
  }

  async delete(key: string): Promise<void> {
    const fullKey = this.fullKey(key);
    try {
      await this.client.send(new DeleteObjectCommand({ Bucket: this.bucket, Key: fullKey }));
    } catch (err) {
      // S3 answers 204 for a missing key; some compatible servers answer 404.
      if (isNotFound(err)) return;
      throw this.mapError(err, key);
    }
  }

  async deleteMany(keys: string[]): Promise<{ deleted: string[]; failed: { key: string; error: string }[] }> {
    // Every key is checked before the first request, so a bad key cannot leave a half-done batch.
    const unique = [...new Set(keys)];
    for (const key of unique) this.fullKey(key);
    const deleted: string[] = [];
    const failed: { key: string; error: string }[] = [];
    for (let start = 0; start < unique.length; start += DELETE_BATCH) {
      const batch = unique.slice(start, start + DELETE_BATCH);
      try {
        const out = await this.client.send(
          new DeleteObjectsCommand({
            Bucket: this.bucket,
            Delete: { Objects: batch.map((key) => ({ Key: this.prefix + key })), Quiet: true },
          }),
        );
        const errors = new Map<string, string>();
        for (const error of out.Errors ?? []) {
          if (error.Key === undefined) continue;
          errors.set(error.Key.slice(this.prefix.length), `${error.Code ?? 'Error'}: ${error.Message ?? 'not deleted'}`);
        }
        for (const key of batch) {
          const error = errors.get(key);
          if (error) failed.push({ key, error });
          else deleted.push(key);
        }
      } catch (err) {
        const mapped = this.mapError(err);
        // A configuration problem fails every batch alike; say so once instead of per key.
        if (mapped instanceof UserError) throw mapped;
        for (const key of batch) failed.push({ key, error: mapped instanceof Error ? mapped.message : String(mapped) });
      }
    }
    return { deleted, failed };
  }

  async *list(prefix: string): AsyncIterable<ObjectInfo> {
    validateKeyPrefix(prefix);
    let continuationToken: string | undefined;
    do {
      const token = continuationToken;
      const page = await this.send(undefined, () =>
        this.client.send(
          new ListObjectsV2Command({ Bucket: this.bucket, Prefix: this.prefix + prefix, MaxKeys: this.pageSize, ContinuationToken: token }),
        ),
      );
      for (const item of page.Contents ?? []) {
        if (item.Key === undefined || !item.Key.startsWith(this.prefix)) continue;
        const key = item.Key.slice(this.prefix.length);
        // Folder markers ("a/") and keys written by other tools that no method here can address.
        if (!isValidObjectKey(key)) continue;
        yield { key, size: item.Size ?? 0, etag: unquote(item.ETag), lastModified: item.LastModified ?? new Date(0) };
      }
      continuationToken = page.IsTruncated ? page.NextContinuationToken : undefined;
    } while (continuationToken);
  }

  async check(): Promise<void> {
    const probeKey = `${this.prefix}.sluice-check-${randomBytes(6).toString('hex')}`;
    try {
      // Listing proves the endpoint, the credentials, the bucket and read access; the probe object write access.
      await this.client.send(new ListObjectsV2Command({ Bucket: this.bucket, Prefix: this.prefix, MaxKeys: 1 }));
      await this.client.send(new PutObjectCommand({ Bucket: this.bucket, Key: probeKey, Body: Buffer.from('sluice storage check') }));
      await this.client.send(new DeleteObjectCommand({ Bucket: this.bucket, Key: probeKey }));
    } catch (err) {
      throw this.mapError(err, undefined, true);
    }
  }

  /** Closes the client's pooled connections; the store is unusable afterwards. */
  close(): void {
    this.client.destroy();
  }

  // -------------------------------------------------------------------------------------------

  private fullKey(key: string): string {
    validateObjectKey(key);
    // The prefix counts against S3's key length limit too.
    return this.prefix ? validateObjectKey(this.prefix + key) : key;
  }

  private async getBody(key: string, start?: number) {
    const fullKey = this.fullKey(key);
    const range = start ? `bytes=${start}-` : undefined;
    const out = await this.send(key, () => this.client.send(new GetObjectCommand({ Bucket: this.bucket, Key: fullKey, Range: range })));
    if (!out.Body) throw new ObjectNotFoundError(key, this.description);
    return out.Body;
  }

  private async uploadFile(key: string, fullKey: string, filePath: string, options: PutOptions): Promise<PutResult> {
    const { size } = await fs.stat(filePath);
    if (size > this.multipartThreshold) {
      const { etag, sha256 } = await this.send(key, () =>
        uploadInParts({ client: this.client, bucket: this.bucket, key: fullKey, filePath, size, partSize: this.partSize, contentType: options.contentType }),
      );
      return { key, size, sha256, etag: unquote(etag) };
    }
    for (let attempt = 1; ; attempt++) {
      // A fresh stream and meter per attempt: a failed request may have consumed part of the last one.
      const meter = new Sha256Meter();
      const body = pipeline(createReadStream(filePath), meter, () => undefined);
      try {
        const out = await this.client.send(
          new PutObjectCommand({ Bucket: this.bucket, Key: fullKey, Body: body, ContentLength: size, ContentType: options.contentType }),
        );
        if (meter.size !== size) throw new Error(`${filePath} changed size while it was uploaded (${size} → ${meter.size} bytes)`);
        return { key, size, sha256: meter.sha256(), etag: unquote(out.ETag) };
      } catch (err) {
        if (attempt >= STREAM_UPLOAD_ATTEMPTS || !isTransient(err)) throw this.mapError(err, key);
        await sleep(200 * 2 ** attempt * (0.5 + Math.random()));
      } finally {
        body.destroy();
      }
    }
  }

  private async send<T>(key: string | undefined, request: () => Promise<T>): Promise<T> {
    try {
      return await request();
    } catch (err) {
      throw this.mapError(err, key);
    }
  }

  /**
   * Turns SDK errors into ours. Configuration mistakes (bucket, credentials, permissions) become
   * UserErrors everywhere; network failures only in check(), because mid-run they are usually
   * transient and must stay retryable.
   */
  private mapError(err: unknown, key?: string, checking = false): unknown {
    const code = s3Code(err);
    const status = httpStatus(err);
    // Configuration errors first: some arrive as 404s (NoSuchBucket, versitygw's unknown user) and
    // must not pass for a missing object.
    switch (code) {
      case 'NoSuchBucket':
        return new UserError(`The bucket "${this.bucket}" does not exist at ${this.endpointText}`, 'Create the bucket, or set storage.s3.bucket to an existing one.', { cause: err });
      case 'InvalidBucketName':
        return new UserError(`"${this.bucket}" is not a valid bucket name for ${this.endpointText}`, 'Set storage.s3.bucket to a valid bucket name (3-63 lower-case letters, digits, dots and dashes).', { cause: err });
      case 'InvalidAccessKeyId':
      case 'XAdminUserNotFound': // versitygw's answer (a 404) for an unknown access key id
        return new UserError(`${this.endpointText} does not know the access key id sluice used`, 'Check storage.s3.accessKeyId (and storage.s3.secretAccessKey that goes with it).', { cause: err });
      case 'SignatureDoesNotMatch':
        return new UserError(`${this.endpointText} rejected the request signature: the secret access key does not match the access key id`, 'Check storage.s3.secretAccessKey (and storage.s3.accessKeyId that goes with it).', { cause: err });
      case 'AuthorizationHeaderMalformed':
      case 'PermanentRedirect':
      case 'IllegalLocationConstraintException':
        return new UserError(
          `${this.description} expects another region than storage.s3.region "${this.region}"${serverRegion(err)}`,
          'Set storage.s3.region to the region the bucket lives in.',
          { cause: err },
        );
      case 'CredentialsProviderError':
        return new UserError('No S3 credentials were found', 'Set storage.s3.accessKeyId and storage.s3.secretAccessKey, or provide AWS credentials through the environment or a profile.', { cause: err });
    }
    if (key !== undefined && isNotFound(err)) return new ObjectNotFoundError(key, this.description, { cause: err });
    if (key !== undefined && (code === 'ObjectParentIsFile' || code === 'ExistingObjectIsDirectory')) {
      return new ObjectKeyConflictError(key, this.description, { cause: err });
    }
    if (code === 'AccessDenied' || status === 403) {
      return new UserError(
        `Access denied to ${this.description}`,
        `Check storage.s3.accessKeyId and storage.s3.secretAccessKey, and that those credentials may list, read, write and delete objects in bucket storage.s3.bucket ("${this.bucket}").`,
        { cause: err },
      );
    }
    const network = networkCode(err);
    if (checking && network) {
      return new UserError(`Cannot reach the S3 endpoint ${this.endpointText} (${network})`, 'Check storage.s3.endpoint (scheme, host and port) and that the S3 server is running and reachable.', { cause: err });
    }
    if (checking && !(err instanceof UserError)) {
      return new UserError(`The storage check of ${this.description} failed: ${err instanceof Error ? err.message : String(err)}`, 'Check storage.s3.endpoint, storage.s3.bucket and the credentials in storage.s3.', { cause: err });
    }
    return err;
  }

}

/** Some servers name the region they expected; say it when they do. */
function serverRegion(err: unknown): string {
  const region = (err as { Region?: unknown }).Region;
  return typeof region === 'string' && region ? ` (it names "${region}")` : '';
}

/** HEAD answers carry no body, hence no code: a bare 404 ("NotFound") is all there is. */
function isNotFound(err: unknown): boolean {
  const code = s3Code(err);
  return code === 'NoSuchKey' || code === 'NotFound' || (httpStatus(err) === 404 && (code === undefined || code === 'UnknownError' || code === 'Unknown'));
}

function isTransient(err: unknown): boolean {
  const status = httpStatus(err);
  return networkCode(err) !== undefined || (status !== undefined && (status >= 500 || status === 429)) || s3Code(err) === 'TimeoutError';
}

function s3Code(err: unknown): string | undefined {
  if (typeof err !== 'object' || err === null) return undefined;
  const { Code, name } = err as { Code?: unknown; name?: unknown };
  if (typeof Code === 'string') return Code;
  return typeof name === 'string' ? name : undefined;
}

function httpStatus(err: unknown): number | undefined {
  return (err as { $metadata?: { httpStatusCode?: number } } | undefined)?.$metadata?.httpStatusCode;
}

/** Node reports connection failures as `code` on the error, its cause, or (happy eyeballs) its AggregateError members. */
function networkCode(err: unknown): string | undefined {
  const candidates: unknown[] = [err, (err as { cause?: unknown })?.cause, ...(((err as { errors?: unknown[] })?.errors) ?? [])];
  for (const candidate of candidates) {
    const code = (candidate as NodeJS.ErrnoException | undefined)?.code;
    if (code && NETWORK_CODES.has(code)) return code;
  }
  if ((err as Error | undefined)?.name === 'TimeoutError') return 'timeout';
  return undefined;
}

function unquote(etag: string | undefined): string | undefined {
  return etag?.replace(/^"(.*)"$/, '$1');
}

/** The endpoint for messages: without user info, in case someone put credentials in the URL. */
function safeEndpoint(endpoint: string): string {
  try {
    const url = new URL(endpoint);
    url.username = '';
    url.password = '';
    return url.toString().replace(/\/$/, '');
  } catch {
    return '[unparseable endpoint]';
  }
}
