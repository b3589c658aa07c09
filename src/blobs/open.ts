import { join } from 'node:path';
import type { AttachmentsSettings } from '../settings/attachments-schema.ts';
import type { BlobStore } from './contract.ts';
import { createFolderBlobStore } from './folder-blob-store.ts';
import { createS3BlobStore } from './s3-blob-store.ts';

/** The blob store router.yaml names: `<data folder>/blobs` unless an S3 bucket is configured. */
export function openBlobStore(settings: AttachmentsSettings, dataDir: string): BlobStore {
  const s3 = settings.s3;
  if (settings.store === 's3' && s3) {
    return createS3BlobStore({
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
