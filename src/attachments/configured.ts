import type { BlobStore } from '../blobs/contract.ts';
import { openBlobStore } from '../blobs/open.ts';
import type { Bus } from '../bus.ts';
import type { ChannelAdapter } from '../channel/contract.ts';
import type { Clock } from '../clock.ts';
import { parseDuration } from '../duration.ts';
import type { RouteRegistry } from '../http/http-types.ts';
import type { Logger } from '../log.ts';
import type { DeskNotice } from '../people/desk-events.ts';
import type { AttachmentsSettings } from '../settings/attachments-schema.ts';
import type { MediaFetch, Store } from '../store/contract.ts';
import { createClamdScanner } from './clamd.ts';
import { createMediaFetcher, fetchLimits } from './fetch-worker.ts';
import { type AttachmentFiles, createAttachmentFiles } from './files.ts';
import { createMediaLinks, registerMediaRoute, resolveMediaKey } from './links.ts';
import { scannedBlobStore } from './scanned-blobs.ts';

/**
 * Attachments as router.yaml sets them: the blob store, the worker that
 * fetches inbound files after routing, and (once the public URL is known)
 * the signed media route and the files adapters send and keep.
 */
export function configuredAttachments(o: {
  settings: AttachmentsSettings;
  dataDir: string;
  store: Store;
  adapters: ReadonlyMap<string, ChannelAdapter>;
  clock: Clock;
  log: Logger;
  owner: string;
  /** Told when a customer's file was kept or given up (the desk shows it, or why not), or is tried again. */
  desk?: Bus<DeskNotice>;
}) {
  const desk = o.desk;
  const blobs = withScan(openBlobStore(o.settings, o.dataDir), o.settings.scan, o.log);
  const limits = fetchLimits(o.settings.fetch);
  const media = createMediaFetcher({
    store: o.store,
    blobs,
    adapters: o.adapters,
    clock: o.clock,
    log: o.log,
    owner: o.owner,
    leaseMs: parseDuration(o.settings.fetch.timeout) * 2,
    limits,
    maxAttempts: o.settings.fetch.maxAttempts,
    ...(desk
      ? {
          onFinished: (f: MediaFetch) =>
            desk.publish({ conversationId: f.conversationId, cause: 'inbound', events: [] }),
          onRetry: (f: MediaFetch, error: string, nextAt: number) =>
            desk.publish({
              conversationId: f.conversationId,
              cause: 'inbound',
              events: [],
              fileRetry: { messageId: f.messageId, index: f.index, attempt: f.attempts, error, nextAt },
            }),
        }
      : {}),
  });
  return {
    blobs,
    media,
    /** Serves signed media links under `publicUrl` and gives the adapters their files. */
    async serve(routes: RouteRegistry, publicUrl: string): Promise<AttachmentFiles> {
      const links = createMediaLinks({
        key: await resolveMediaKey(o.store),
        publicUrl,
        ttlMs: parseDuration(o.settings.links.ttl),
        clock: o.clock,
      });
      registerMediaRoute(routes, links, blobs);
      return createAttachmentFiles(blobs, links, limits);
    },
  };
}

/** The blob store behind the virus scan when router.yaml turns it on. */
function withScan(blobs: BlobStore, scan: AttachmentsSettings['scan'], log: Logger): BlobStore {
  if (!scan) return blobs;
  const scanner = createClamdScanner({ ...scan.clamd, timeoutMs: parseDuration(scan.timeout) });
  log.info({ scanner: scanner.name, onError: scan.onError }, 'files are scanned before they are kept');
  return scannedBlobStore(blobs, { scanner, onError: scan.onError, log });
}
