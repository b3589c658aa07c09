import type { BlobStore } from '../blobs/contract.ts';
import type { Logger } from '../log.ts';
import type { Store } from '../store/contract.ts';

/** What a sweep did with the blobs queued for it. */
export interface SweptBlobs {
  /** Files deleted from the blob store. */
  deleted: number;
  /** Files kept: another message holds the same bytes. */
  shared: number;
  /** Files the blob store failed to delete: still queued, tried again at the next sweep. */
  left: number;
}

const BATCH = 100;

/**
 * Deletes the attachment blobs that erasures and retention runs queued
 * (src/store/blob-sweeps.ts), after their commits: a blob still named by a
 * message is kept; each key leaves the queue only once its blob is gone or
 * kept, so a crash or a failing bucket leaves it queued for the next sweep
 * (at start, and after each erasure and retention run). Deleting twice is
 * harmless, so sweeps may overlap.
 */
export async function sweepBlobs(store: Store, blobs: BlobStore, log?: Logger): Promise<SweptBlobs> {
  const out: SweptBlobs = { deleted: 0, shared: 0, left: 0 };
  const failed = new Set<string>();
  for (;;) {
    const keys = (await store.blobSweeps.pending(BATCH + failed.size)).filter((k) => !failed.has(k));
    if (keys.length === 0) break;
    for (const key of keys) {
      try {
        if ((await store.blobSweeps.references(key)) > 0) out.shared++;
        else {
          await blobs.delete(key);
          out.deleted++;
        }
        await store.blobSweeps.done(key);
      } catch (err) {
        failed.add(key);
        out.left++;
        log?.warn({ err, blob: key }, 'could not delete an attachment blob; it stays queued for the next sweep');
      }
    }
  }
  if (out.deleted + out.shared + out.left > 0) log?.info({ ...out }, 'attachment blobs swept');
  return out;
}
