import { createHash } from 'node:crypto';
import {
  DeleteObjectCommand,
  GetObjectCommand,
  PutObjectCommand,
  S3Client,
  S3ServiceException,
} from '@aws-sdk/client-s3';
import { type BlobStore, blobKey, hashOfKey } from './contract.ts';

export interface S3BlobOptions {
  bucket: string;
  /** Objects go under this prefix (`touchpoint/`), so one bucket can serve several deployments. */
  prefix: string;
  region: string;
  /** An S3-compatible endpoint (MinIO, Ceph, …); absent: AWS. */
  endpoint?: string;
  /** Path-style URLs (`endpoint/bucket/key`), which most S3-compatible servers want. */
  forcePathStyle: boolean;
  /** Absent: the AWS SDK's own chain (environment, profile, instance role). */
  credentials?: { accessKeyId: string; secretAccessKey: string };
}

/** Blobs as objects in an S3-compatible bucket, through the AWS SDK. */
export function createS3BlobStore(o: S3BlobOptions): BlobStore {
  const client = new S3Client({
    region: o.region,
    forcePathStyle: o.forcePathStyle,
    ...(o.endpoint ? { endpoint: o.endpoint } : {}),
    ...(o.credentials ? { credentials: o.credentials } : {}),
  });
  const objectKey = (key: string): string | null => (hashOfKey(key) ? `${o.prefix}${key}` : null);
  return {
    kind: 's3',
    async put(bytes, contentType) {
      const sha256 = createHash('sha256').update(bytes).digest('hex');
      const key = blobKey(sha256);
      await client.send(
        new PutObjectCommand({
          Bucket: o.bucket,
          Key: objectKey(key) as string,
          Body: bytes,
          ContentType: contentType,
          ContentLength: bytes.byteLength,
        }),
      );
      return { key, sha256, size: bytes.byteLength };
    },
    async get(key) {
      const name = objectKey(key);
      if (!name) return null;
      try {
        const out = await client.send(new GetObjectCommand({ Bucket: o.bucket, Key: name }));
        if (!out.Body) return null;
        return Buffer.from(await out.Body.transformToByteArray());
      } catch (err) {
        if (err instanceof S3ServiceException && (err.name === 'NoSuchKey' || err.$metadata.httpStatusCode === 404)) {
          return null;
        }
        throw err;
      }
    },
    async delete(key) {
      const name = objectKey(key);
      if (name) await client.send(new DeleteObjectCommand({ Bucket: o.bucket, Key: name }));
    },
  };
}
