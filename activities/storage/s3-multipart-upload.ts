import { createHash } from 'node:crypto';
import fs from 'node:fs/promises';
import {
  AbortMultipartUploadCommand,
  CompleteMultipartUploadCommand,
  CreateMultipartUploadCommand,
  UploadPartCommand,
  type S3Client,
} from '@aws-sdk/client-s3';

/** S3's limits: parts of at least 5 MiB (but the last), at most 10,000 of them. */
export const MIN_PART_BYTES = 5 * 1024 ** 2;
const MAX_PARTS = 10_000;

export interface MultipartUpload {
  client: S3Client;
  bucket: string;
  key: string;
  filePath: string;
  size: number;
  partSize: number;
  contentType?: string;
}

/**
 * Uploads a file in parts, one after another, reading each part into memory (so memory stays at
 * one part and the SDK can retry a part by itself) and hashing the file on the way. An upload that
 * fails is aborted, so no orphaned parts keep costing storage.
 */
export async function uploadInParts(upload: MultipartUpload): Promise<{ etag?: string; sha256: string }> {
  const { client, bucket, key } = upload;
  const partSize = Math.max(upload.partSize, MIN_PART_BYTES, Math.ceil(upload.size / MAX_PARTS));
  const { UploadId } = await client.send(new CreateMultipartUploadCommand({ Bucket: bucket, Key: key, ContentType: upload.contentType }));
  if (!UploadId) throw new Error(`S3 returned no upload id for a multipart upload of ${key}`);
  const hash = createHash('sha256');
  const file = await fs.open(upload.filePath, 'r');
  try {
    const parts: { PartNumber: number; ETag?: string }[] = [];
    for (let offset = 0, number = 1; offset < upload.size; offset += partSize, number += 1) {
      const length = Math.min(partSize, upload.size - offset);
      const body = Buffer.alloc(length);
      const { bytesRead } = await file.read(body, 0, length, offset);
      if (bytesRead !== length) throw new Error(`${upload.filePath} changed size while it was uploaded`);
      const { ETag } = await client.send(new UploadPartCommand({ Bucket: bucket, Key: key, UploadId, PartNumber: number, Body: body, ContentLength: length }));
      hash.update(body);
      parts.push({ PartNumber: number, ETag });
    }
    const done = await client.send(new CompleteMultipartUploadCommand({ Bucket: bucket, Key: key, UploadId, MultipartUpload: { Parts: parts } }));
    return { etag: done.ETag, sha256: hash.digest('hex') };
  } catch (err) {
    await client.send(new AbortMultipartUploadCommand({ Bucket: bucket, Key: key, UploadId })).catch(() => undefined);
    throw err;
  } finally {
    await file.close();
  }
}
