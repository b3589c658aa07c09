import { createHash, randomBytes } from 'node:crypto';
import { mkdtempSync, readdirSync, rmSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import S3rver from 's3rver';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import type { BlobStore } from '../../src/blobs/contract.ts';
import { createFolderBlobStore } from '../../src/blobs/folder-blob-store.ts';
import { openBlobStore } from '../../src/blobs/open.ts';
import { createS3BlobStore } from '../../src/blobs/s3-blob-store.ts';
import { attachmentsSettings } from '../../src/settings/attachments-schema.ts';

/** The promises every blob store keeps, whatever is behind it. */
function blobContract(name: string, open: () => BlobStore) {
  describe(`${name} blob store`, () => {
    it('keeps bytes under their SHA-256 and gives them back unchanged', async () => {
      const store = open();
      const bytes = randomBytes(70_000);
      const stored = await store.put(bytes, 'image/jpeg');
      const sha256 = createHash('sha256').update(bytes).digest('hex');
      expect(stored).toEqual({ key: `sha256/${sha256}`, sha256, size: 70_000 });
      expect((await store.get(stored.key))?.equals(bytes)).toBe(true);
    });

    it('stores the same content once under one key', async () => {
      const store = open();
      const bytes = Buffer.from('the same photo twice');
      const a = await store.put(bytes, 'image/png');
      const b = await store.put(bytes, 'image/png');
      expect(b.key).toBe(a.key);
    });

    it('answers null for a missing blob and for a key that is not a blob key', async () => {
      const store = open();
      expect(await store.get(`sha256/${'0'.repeat(64)}`)).toBeNull();
      expect(await store.get('../../etc/passwd')).toBeNull();
      expect(await store.get('sha256/../../x')).toBeNull();
    });

    it('deletes, and deleting again is no error', async () => {
      const store = open();
      const stored = await store.put(Buffer.from('erase me'), 'text/plain');
      await store.delete(stored.key);
      expect(await store.get(stored.key)).toBeNull();
      await store.delete(stored.key);
    });
  });
}

const dir = mkdtempSync(join(tmpdir(), 'tp-blobs-'));
afterAll(() => rmSync(dir, { recursive: true, force: true }));

blobContract('folder', () => createFolderBlobStore(join(dir, 'folder')));

describe('folder layout', () => {
  it('leaves no temporary file behind and spreads files over two-digit folders', async () => {
    const root = join(dir, 'layout');
    const store = createFolderBlobStore(root);
    const stored = await store.put(Buffer.from('layout'), 'text/plain');
    const folder = stored.sha256.slice(0, 2);
    expect(readdirSync(root)).toEqual([folder]);
    expect(readdirSync(join(root, folder))).toEqual([stored.sha256]);
  });
});

let s3: S3rver;
let endpoint = '';
beforeAll(async () => {
  s3 = new S3rver({
    address: '127.0.0.1',
    port: 0,
    silent: true,
    directory: join(dir, 's3rver'),
    configureBuckets: [{ name: 'touchpoint-test', configs: [] }],
  });
  const { port } = await s3.run();
  endpoint = `http://127.0.0.1:${port}`;
});
afterAll(() => s3.close());

blobContract('S3 (s3rver)', () =>
  createS3BlobStore({
    bucket: 'touchpoint-test',
    prefix: 'tp/',
    region: 'us-east-1',
    endpoint,
    forcePathStyle: true,
    credentials: { accessKeyId: 'S3RVER', secretAccessKey: 'S3RVER' },
  }),
);

// As the router opens it from router.yaml: the AWS SDK is loaded at the first call.
blobContract('S3 as configured', () =>
  openBlobStore(
    attachmentsSettings.parse({
      store: 's3',
      s3: {
        bucket: 'touchpoint-test',
        prefix: 'configured/',
        endpoint,
        accessKeyId: 'S3RVER',
        secretAccessKey: 'S3RVER',
      },
    }),
    dir,
  ),
);

describe('S3 layout', () => {
  it('puts objects under the configured prefix', async () => {
    const store = createS3BlobStore({
      bucket: 'touchpoint-test',
      prefix: 'tp/',
      region: 'us-east-1',
      endpoint,
      forcePathStyle: true,
      credentials: { accessKeyId: 'S3RVER', secretAccessKey: 'S3RVER' },
    });
    const stored = await store.put(Buffer.from('prefixed'), 'text/plain');
    const res = await fetch(`${endpoint}/touchpoint-test/tp/${stored.key}`);
    expect(await res.text()).toBe('prefixed');
  });
});
