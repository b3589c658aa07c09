import { consentOnFile } from '../outbound/consent-on-file.ts';
import type { Store } from '../store/contract.ts';

/**
 * One batch of a segment's expansion, in one transaction: the next `batchSize`
 * contacts after where the last batch stopped become recipients, and the
 * broadcast records how far it got. A crash between batches resumes after the
 * last committed one; a batch done twice adds nobody twice (one row per
 * recipient, unique). Returns whether the segment is fully expanded.
 */
export async function expandBatch(store: Store, broadcastId: string, batchSize: number, now: number): Promise<boolean> {
  return store.transaction(async (tx) => {
    const b = await tx.getBroadcast(broadcastId);
    if (!b || b.expanded || b.status !== 'running') return true;
    const page = await tx.segmentPage(b.segment, b.expandAfter, batchSize);
    const ids: string[] = [];
    for (const c of page) {
      if (b.segment.consent === undefined || (await consentOnFile(tx, c.id, b.segment.consent))) ids.push(c.id);
    }
    const done = page.length < batchSize;
    await tx.addRecipients(b.id, ids, page.at(-1)?.id ?? b.expandAfter, done, now);
    return done;
  });
}
