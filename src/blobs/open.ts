import { join } from 'node:path';
import type { AttachmentsSettings } from '../settings/attachments-schema.ts';
import type { BlobStore } from './contract.ts';
import { createFolderBlobStore } from './folder-blob-store.ts';
import type { S3BlobOptions } from './s3-blob-store.ts';

/** The blob store router.yaml names: `<data folder>/blobs` unless an S3 bucket is configured. */
export function openBlobStore(settings: AttachmentsSettings, dataDir: string): BlobStore {
  const s3 = settings.s3;
  if (settings.store === 's3' && s3) {
    return lazyS3BlobStore({
      bucket: s3.bucket,
      prefix: s3.prefix,
      region: s3.region,
      forcePathStyle: s3.forcePathStyle,
      ...(s3.endpoint ? { endpoint: s3.endpoint } : {}),
      ...(s3.accessKeyId && s3.secretAccessKey
        ? { credentials: { accessKeyId: s3.accessKeyId, secretAccessKey: s3.secretAccessKey } }
        : {}),
    });
  }
  return createFolderBlobStore(join(dataDir, 'blobs'));
}

/** The AWS SDK is a large module tree (memory, start-up time): loaded only where a bucket is configured, at first use. */
function lazyS3BlobStore(o: S3BlobOptions): BlobStore {
  let store: Promise<BlobStore> | null = null;
  const s3 = () => {
    store ??= import('./s3-blob-store.ts').then((m) => m.createS3BlobStore(o));
    return store;
  };
  return {
    kind: 's3',
    put: async (bytes, contentType) => (await s3()).put(bytes, contentType),
    get: async (key) => (await s3()).get(key),
    delete: async (key) => (await s3()).delete(key),
  };
}
