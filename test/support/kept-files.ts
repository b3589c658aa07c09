import { mkdtemp, rm } from 'node:fs/promises';
import { createServer } from 'node:http';
import type { AddressInfo } from 'node:net';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { createAttachmentFiles } from '../../src/attachments/files.ts';
import { createMediaLinks, MEDIA_PATH } from '../../src/attachments/links.ts';
import type { BlobStore } from '../../src/blobs/contract.ts';
import { createFolderBlobStore } from '../../src/blobs/folder-blob-store.ts';
import type { AttachmentFiles, ChannelHost } from '../../src/channel/contract.ts';
import { systemClock } from '../../src/clock.ts';
import { HttpError, notFound } from '../../src/errors.ts';
import { silentLogger } from '../../src/log.ts';
import { localExclusive } from './local-exclusive.ts';

export interface KeptFiles {
  files: AttachmentFiles;
  blobs: BlobStore;
  /** Where the signed links point: a local server answering them as the router's /media route does. */
  publicUrl: string;
  /** Link requests served, with their status. */
  served: { path: string; status: number }[];
  /** A host with these files and nothing else, for adapters that only send. */
  host: ChannelHost;
  close(): Promise<void>;
}

/**
 * The router's real file service (folder blob store, signed links) in a
 * temporary folder, with the signed links served on 127.0.0.1, for adapter
 * tests that send kept files to a provider fake that fetches them.
 */
export async function keptFiles(): Promise<KeptFiles> {
  const dir = await mkdtemp(join(tmpdir(), 'tp-kept-'));
  const blobs = createFolderBlobStore(dir);
  const served: KeptFiles['served'] = [];
  const server = createServer(async (req, res) => {
    const url = new URL(req.url ?? '/', 'http://127.0.0.1');
    const hash = url.pathname.startsWith(`${MEDIA_PATH}/`) ? url.pathname.slice(MEDIA_PATH.length + 1) : '';
    try {
      const { contentType } = links.verify(hash, url.searchParams);
      const bytes = await blobs.get(`sha256/${hash}`);
      if (!bytes) throw notFound('no such file');
      served.push({ path: url.pathname, status: 200 });
      res.writeHead(200, { 'content-type': contentType }).end(bytes);
    } catch (err) {
      const status = err instanceof HttpError ? err.status : 500;
      served.push({ path: url.pathname, status });
      res.writeHead(status).end(String((err as Error).message));
    }
  });
  await new Promise<void>((resolve) => server.listen(0, '127.0.0.1', resolve));
  const publicUrl = `http://127.0.0.1:${(server.address() as AddressInfo).port}`;
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
  return {
    files,
    blobs,
    publicUrl,
    served,
    host,
    async close() {
      server.closeAllConnections();
      await new Promise<void>((resolve) => server.close(() => resolve()));
      await rm(dir, { recursive: true, force: true });
    },
  };
}
