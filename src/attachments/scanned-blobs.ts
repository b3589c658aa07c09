import type { BlobStore } from '../blobs/contract.ts';
import { mediaRefused, mediaUnavailable } from '../errors.ts';
import type { Logger } from '../log.ts';
import type { Scanner } from './clamd.ts';

/** The reason a file the scanner flagged carries wherever it is shown. */
export const SCAN_REJECTED = 'file rejected by scan';

export interface ScanPolicy {
  scanner: Scanner;
  /** Scanner unreachable: `reject` keeps nothing (fail closed), `accept` keeps the file unscanned (fail open). */
  onError: 'reject' | 'accept';
  log: Logger;
}

/**
 * Every file is scanned before it is kept, and only kept files are ever shown
 * or sent, so wrapping the store's `put` covers inbound fetches, email parts,
 * web chat uploads and agents' files alike. A flagged file is refused for
 * good (MediaError `media_refused`) and never reaches the store.
 */
export function scannedBlobStore(blobs: BlobStore, policy: ScanPolicy): BlobStore {
  const { scanner, log } = policy;
  return {
    kind: blobs.kind,
    get: (key) => blobs.get(key),
    delete: (key) => blobs.delete(key),
    async put(bytes, contentType) {
      let found: string | null;
      try {
        found = await scanner.scan(bytes);
      } catch (err) {
        const reason = err instanceof Error ? err.message : String(err);
        if (policy.onError === 'accept') {
          log.error({ scanner: scanner.name, reason, size: bytes.length }, 'virus scanner down: file kept UNSCANNED');
          return blobs.put(bytes, contentType);
        }
        log.error({ scanner: scanner.name, reason, size: bytes.length }, 'virus scanner down: file not kept');
        throw mediaUnavailable(`the virus scanner could not be reached (${reason})`, err);
      }
      if (found !== null) {
        log.warn({ scanner: scanner.name, signature: found, size: bytes.length, contentType }, SCAN_REJECTED);
        throw mediaRefused(`${SCAN_REJECTED} (${found})`);
      }
      return blobs.put(bytes, contentType);
    },
  };
}
