import { randomBytes } from 'node:crypto';
import { mkdtempSync, rmSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import S3rver from 's3rver';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { BOOTSTRAP_ADMIN } from '../../src/access/principal.ts';
import type { BlobStore, StoredBlob } from '../../src/blobs/contract.ts';
import { createFolderBlobStore } from '../../src/blobs/folder-blob-store.ts';
import { createS3BlobStore } from '../../src/blobs/s3-blob-store.ts';
import { silentLogger } from '../../src/log.ts';
import type { Attachment } from '../../src/model/types.ts';
import { sweepBlobs } from '../../src/privacy/blob-sweep.ts';
import { eraseContact, finishErasure, requestErasure } from '../../src/privacy/erase.ts';
import { exportContact } from '../../src/privacy/export.ts';
import { runRetention } from '../../src/privacy/retention.ts';
import { retentionFile } from '../../src/settings/retention-schema.ts';
import type { Store } from '../../src/store/contract.ts';
import { openStore } from '../../src/store/open.ts';
import { message, seed, T0 } from '../store/fixtures.ts';
import { dropSchema, freshSchema } from '../support/pg-schema.ts';

const DAY = 86_400_000;
const root = mkdtempSync(join(tmpdir(), 'tp-erase-blobs-'));
let n = 0;
afterAll(() => rmSync(root, { recursive: true, force: true }));

let s3: S3rver;
let endpoint = '';
beforeAll(async () => {
  s3 = new S3rver({
    address: '127.0.0.1',
    port: 0,
    silent: true,
    directory: join(root, 's3rver'),
    configureBuckets: [{ name: 'touchpoint-erase', configs: [] }],
  });
  endpoint = `http://127.0.0.1:${(await s3.run()).port}`;
});
afterAll(() => s3.close());

const blobStores: Array<{ name: string; open: () => BlobStore }> = [
  { name: 'folder', open: () => createFolderBlobStore(join(root, `blobs-${n++}`)) },
  {
    name: 'S3 (s3rver)',
    open: () =>
      createS3BlobStore({
        bucket: 'touchpoint-erase',
        prefix: `run-${n++}/`,
        region: 'us-east-1',
        endpoint,
        forcePathStyle: true,
        credentials: { accessKeyId: 'S3RVER', secretAccessKey: 'S3RVER' },
      }),
  },
];

const stores: Array<{ name: string; open: () => Promise<Store> }> = [
  { name: 'sqlite', open: () => openStore({ dataDir: join(root, `db-${n++}`), log: silentLogger }) },
];
const databaseUrl = process.env.DATABASE_URL;
const schemas: string[] = [];
if (databaseUrl) {
  stores.push({
    name: 'postgres',
    open: () => {
      const schema = freshSchema('tp_erase_blobs');
      schemas.push(schema);
      return openStore({ databaseUrl, schema, dataDir: '/nonexistent', log: silentLogger });
    },
  });
}
afterAll(async () => {
  for (const s of schemas.splice(0)) if (databaseUrl) await dropSchema(databaseUrl, s);
});

const file = (b: StoredBlob, name: string): Attachment => ({
  name,
  contentType: 'image/png',
  size: b.size,
  sha256: b.sha256,
  blobKey: b.key,
});

/** A message with these files, written at `at`. */
const withFiles = (store: Store, conversationId: string, files: Attachment[], at = T0) =>
  store.transaction((tx) =>
    tx.insertMessage(
      message(conversationId, { direction: 'inbound', status: 'received', text: 'see the photo', attachments: files }),
      at,
    ),
  );

const retention = (r: unknown) => retentionFile.parse({ retention: r }).retention;

for (const s of stores)
  for (const b of blobStores)
    describe(`attachment files of erased and expired messages (${s.name} store, ${b.name} blobs)`, () => {
      let store: Store;
      let blobs: BlobStore;
      beforeAll(async () => {
        store = await s.open();
        blobs = b.open();
      });
      afterAll(() => store?.close());

      it('export holds the bytes; erase deletes their file and keeps one another customer’s message holds', async () => {
        const ownBytes = randomBytes(3000);
        const own = await blobs.put(ownBytes, 'image/png');
        const shared = await blobs.put(Buffer.from(`our opening hours ${randomBytes(4).toString('hex')}`), 'image/png');
        const ann = await seed(store);
        const bob = await seed(store);
        await withFiles(store, ann.conversation.id, [file(own, 'rash.png'), file(shared, 'hours.png')]);
        await withFiles(store, ann.conversation.id, [file(own, 'rash-again.png')]);
        await withFiles(store, bob.conversation.id, [file(shared, 'hours.png')]);

        const doc = await exportContact(store, ann.contactId, BOOTSTRAP_ADMIN, T0, blobs);
        const exported = doc.conversations.flatMap((c) => c.messages.flatMap((m) => m.attachments));
        expect(exported.map((a) => a.name).sort()).toEqual(['hours.png', 'rash-again.png', 'rash.png']);
        const rash = exported.find((a) => a.name === 'rash.png');
        expect(Buffer.from(rash?.contentBase64 ?? '', 'base64').equals(ownBytes)).toBe(true);

        const result = await eraseContact(store, ann.contactId, BOOTSTRAP_ADMIN, T0, blobs);
        expect(result.files).toEqual({ deleted: 1, shared: 1, left: 0 });
        expect(await blobs.get(own.key)).toBeNull();
        expect(await blobs.get(shared.key)).not.toBeNull();
        expect(await store.blobSweeps.pending(10)).toEqual([]);
        // Again: nothing left to do, no error.
        expect((await eraseContact(store, ann.contactId, BOOTSTRAP_ADMIN, T0, blobs)).files).toEqual({
          deleted: 0,
          shared: 0,
          left: 0,
        });
      });

      it('a stop after the rows went leaves the files queued, and the next sweep (at start) deletes them', async () => {
        const own = await blobs.put(randomBytes(500), 'image/jpeg');
        const cara = await seed(store);
        await withFiles(store, cara.conversation.id, [file(own, 'receipt.jpg')]);
        await requestErasure(store, cara.contactId, BOOTSTRAP_ADMIN, T0);
        await finishErasure(store, cara.contactId, T0);
        // The process died here: the rows are gone, the file is not, the queue says so.
        expect(await blobs.get(own.key)).not.toBeNull();
        expect(await store.blobSweeps.pending(10)).toEqual([own.key]);
        expect(await sweepBlobs(store, blobs)).toEqual({ deleted: 1, shared: 0, left: 0 });
        expect(await blobs.get(own.key)).toBeNull();
        expect(await store.blobSweeps.pending(10)).toEqual([]);
      });

      it('a blob store that fails keeps the file queued; a later sweep finishes it', async () => {
        const own = await blobs.put(randomBytes(700), 'image/png');
        const dan = await seed(store);
        await withFiles(store, dan.conversation.id, [file(own, 'broken.png')]);
        const failing: BlobStore = {
          ...blobs,
          delete: async () => {
            throw new Error('SlowDown: please reduce your request rate');
          },
        };
        const result = await eraseContact(store, dan.contactId, BOOTSTRAP_ADMIN, T0, failing);
        expect(result.files).toEqual({ deleted: 0, shared: 0, left: 1 });
        expect(await store.listMessages(dan.conversation.id)).toEqual([]);
        expect(await store.blobSweeps.pending(10)).toEqual([own.key]);
        expect(await sweepBlobs(store, blobs)).toEqual({ deleted: 1, shared: 0, left: 0 });
        expect(await blobs.get(own.key)).toBeNull();
      });

      it('retention of messages: a dry run counts the files it would delete and deletes none; the run deletes them', async () => {
        const now = T0 + 100 * DAY;
        const oldOnly = await blobs.put(randomBytes(900), 'image/png');
        const alsoNew = await blobs.put(randomBytes(900), 'image/png');
        const eve = await seed(store, { channel: 'sms' });
        await withFiles(store, eve.conversation.id, [file(oldOnly, 'old.png')], T0);
        await withFiles(store, eve.conversation.id, [file(alsoNew, 'logo.png'), file(oldOnly, 'old.png')], T0);
        await withFiles(store, eve.conversation.id, [file(alsoNew, 'logo.png')], now - DAY);
        const limits = retention({ channels: { sms: { messages: '30d' } } });

        const dry = await runRetention(store, limits, now, { dryRun: true, blobs });
        expect(dry.lines).toMatchObject([{ channel: 'sms', kind: 'messages', count: 2, blobs: 1 }]);
        expect(await blobs.get(oldOnly.key)).not.toBeNull();
        expect(await store.blobSweeps.pending(10)).toEqual([]);

        const run = await runRetention(store, limits, now, { blobs });
        expect(run.lines).toMatchObject([{ channel: 'sms', kind: 'messages', count: 2 }]);
        expect(run.files).toEqual({ deleted: 1, shared: 1, left: 0 });
        expect(await blobs.get(oldOnly.key)).toBeNull();
        expect(await blobs.get(alsoNew.key)).not.toBeNull();
      });

      it('retention of resolved conversations counts and deletes their files', async () => {
        const now = T0 + 400 * DAY;
        const photo = await blobs.put(randomBytes(1200), 'image/png');
        const fay = await seed(store, { channel: 'whatsapp', status: 'resolved', now: T0 });
        await withFiles(store, fay.conversation.id, [file(photo, 'parcel.png')], T0);
        const limits = retention({ channels: { whatsapp: { resolvedConversations: '365d' } } });

        const dry = await runRetention(store, limits, now, { dryRun: true, blobs });
        expect(dry.lines).toMatchObject([{ channel: 'whatsapp', kind: 'resolvedConversations', count: 1, blobs: 1 }]);
        const run = await runRetention(store, limits, now, { blobs });
        expect(run.files).toEqual({ deleted: 1, shared: 0, left: 0 });
        expect(await blobs.get(photo.key)).toBeNull();
      });
    });
