import type { BlobStore } from '../blobs/contract.ts';
import type { Attachment } from '../model/types.ts';
import type { MediaLinks } from './links.ts';
import { type FetchLimits, type MediaSource, safeFetch } from './safe-fetch.ts';

/** What adapters get for files: keep bytes they hold, read kept ones, link to them for a provider to fetch. */
export interface AttachmentFiles {
  /** Keeps bytes the adapter already has (an email's MIME part, a desk upload) and describes them. */
  keep(bytes: Uint8Array, contentType: string, name?: string): Promise<Attachment>;
  /** The bytes of a kept attachment; null when it was never kept or is gone. */
  read(a: Attachment): Promise<Buffer | null>;
  /** A signed, expiring public link to a kept attachment; null when it is not kept. */
  link(a: Attachment): string | null;
  /** Fetches a provider's file through the SSRF guard and keeps it; throws MediaError with the reason. */
  fetch(source: MediaSource, name?: string): Promise<Attachment>;
}

export function createAttachmentFiles(blobs: BlobStore, links: MediaLinks, limits: FetchLimits): AttachmentFiles {
  const files: AttachmentFiles = {
    async keep(bytes, contentType, name) {
      const stored = await blobs.put(bytes, contentType);
      return {
        contentType,
        size: stored.size,
        sha256: stored.sha256,
        blobKey: stored.key,
        ...(name ? { name } : {}),
      };
    },
    read: (a) => (a.blobKey ? blobs.get(a.blobKey) : Promise.resolve(null)),
    link: (a) => (a.blobKey ? links.link(a.blobKey, a.contentType) : null),
    async fetch(source, name) {
      const media = await safeFetch(source, limits);
      return files.keep(media.bytes, media.contentType, name);
    },
  };
  return files;
}
