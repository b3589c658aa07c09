import { mkdtemp, rm } from 'node:fs/promises';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { createAttachmentFiles } from '../../src/attachments/files.ts';
import { createMediaLinks } from '../../src/attachments/links.ts';
import type { BlobStore } from '../../src/blobs/contract.ts';
import { createFolderBlobStore } from '../../src/blobs/folder-blob-store.ts';
import type { AttachmentFiles, ChannelHost } from '../../src/channel/contract.ts';
import { systemClock } from '../../src/clock.ts';
import { silentLogger } from '../../src/log.ts';
import { localExclusive } from './local-exclusive.ts';

/**
 * The router's real file service (folder blob store, signed links on
 * `publicUrl`) in a temporary folder, for adapter tests that send kept files.
 */
export async function keptFiles(publicUrl = 'http://127.0.0.1:9'): Promise<{
  files: AttachmentFiles;
  blobs: BlobStore;
  /** A host with these files and nothing else, for adapters that only send. */
  host: ChannelHost;
  close(): Promise<void>;
}> {
  const dir = await mkdtemp(join(tmpdir(), 'tp-kept-'));
  const blobs = createFolderBlobStore(dir);
  const links = createMediaLinks({
    key: Buffer.from('test-media-key'),
    publicUrl,
    ttlMs: 3_600_000,
    clock: systemClock,
  });
  const files = createAttachmentFiles(blobs, links, {
    maxBytes: 1 << 24,
    timeoutMs: 5_000,
    maxRedirects: 0,
    testHosts: [],
  });
  const host = {
    files,
    log: silentLogger,
    clock: systemClock,
    exclusive: localExclusive,
    publicUrl,
    routes: { add: () => {} },
    state: { get: async () => null, set: async () => {} },
  } as unknown as ChannelHost;
  return { files, blobs, host, close: () => rm(dir, { recursive: true, force: true }) };
}
