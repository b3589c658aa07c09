import type { BlobStore } from '../blobs/contract.ts';
import type { AttachmentFiles } from '../channel/contract.ts';
import { type FetchLimits, safeFetch } from '../channel/safe-fetch.ts';
import type { MediaLinks } from './links.ts';

export type { AttachmentFiles };

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
