import { spawn } from 'node:child_process';
import { randomBytes } from 'node:crypto';
import { mkdtempSync, rmSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { afterAll, describe, expect, it } from 'vitest';
import { createFolderBlobStore } from '../../src/blobs/folder-blob-store.ts';
import { silentLogger } from '../../src/log.ts';
import { openStore } from '../../src/store/open.ts';
import { message, seed, T0 } from '../store/fixtures.ts';
import { startRouterChild } from '../support/child-process.ts';

const root = mkdtempSync(join(tmpdir(), 'tp-erase-kill-'));
afterAll(() => rmSync(root, { recursive: true, force: true }));

/** A contact with a message holding one file, kept where the router keeps files (`<data>/blobs`). */
async function contactWithFile(dataDir: string) {
  const blobs = createFolderBlobStore(join(dataDir, 'blobs'));
  const bytes = randomBytes(4096);
  const stored = await blobs.put(bytes, 'image/png');
  const store = await openStore({ dataDir, log: silentLogger });
  const ann = await seed(store);
  await store.transaction((tx) =>
    tx.insertMessage(
      message(ann.conversation.id, {
        direction: 'inbound',
        status: 'received',
        text: 'photo of my passport',
        attachments: [{ contentType: 'image/png', blobKey: stored.key, sha256: stored.sha256, size: stored.size }],
      }),
      T0,
    ),
  );
  await store.close();
  return { blobs, key: stored.key, contactId: ann.contactId, conversationId: ann.conversation.id };
}

function eraseAndDie(dataDir: string, contact: string, stop: 'request' | 'rows'): Promise<string | null> {
  const proc = spawn(process.execPath, ['test/support/erase-child.ts'], {
    env: { ...process.env, DATA_DIR: dataDir, CONTACT: contact, STOP: stop, DATABASE_URL: '' },
    stdio: ['ignore', 'inherit', 'inherit'],
  });
  return new Promise((resolve) => proc.once('exit', (_code, signal) => resolve(signal)));
}

/**
 * kill -9 in the middle of an erasure, at the two points where the work is
 * split (after the job is recorded; after the rows are gone and before the
 * files are): the router started again on the same data finishes the erasure
 * and deletes the person's files.
 */
describe('erase survives kill -9, files included', () => {
  it.each(['request', 'rows'] as const)(
    'killed after step "%s": the restarted router finishes it, file gone',
    async (stop) => {
      const dataDir = join(root, stop);
      const c = await contactWithFile(dataDir);
      expect(await eraseAndDie(dataDir, c.contactId, stop)).toBe('SIGKILL');
      expect(await c.blobs.get(c.key)).not.toBeNull();

      const router = await startRouterChild({ DATA_DIR: dataDir, DATABASE_URL: '' });
      router.proc.kill('SIGTERM');
      await router.exited;

      expect(await c.blobs.get(c.key)).toBeNull();
      const store = await openStore({ dataDir, log: silentLogger });
      try {
        expect(await store.erasureStatus(c.contactId)).toMatchObject({ status: 'done' });
        expect(await store.listMessages(c.conversationId)).toEqual([]);
        expect(await store.blobSweeps.pending(10)).toEqual([]);
      } finally {
        await store.close();
      }
    },
    60_000,
  );
});
