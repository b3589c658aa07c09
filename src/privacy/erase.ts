import { type Actor, audit } from '../access/audit.ts';
import type { BlobStore } from '../blobs/contract.ts';
import { liveContact } from '../contacts/merge.ts';
import { eventTombstone } from '../decide/identify.ts';
import type { IdentityRef } from '../model/types.ts';
import type { Store } from '../store/contract.ts';
import type { ErasedRows } from '../store/privacy-tx-ops.ts';
import { type SweptBlobs, sweepBlobs } from './blob-sweep.ts';

export interface ErasureResult {
  contactId: string;
  status: 'done';
  /** Rows removed by this run (zero when an earlier run had removed them). */
  erased: ErasedRows;
  /** Their attachment files, deleted from the blob store after the rows (absent where no blob store was given). */
  files?: SweptBlobs;
}

/**
 * Erases a contact (GDPR art. 17), in two durable steps: (1) the job and the
 * tombstones of their identities and messages, with its audit entry; (2) every
 * row holding their words or identities removed and the job finished. A crash
 * between the two leaves the job pending and `resumeErasures` finishes it at
 * the next start; running it again is harmless. Their attachment files are
 * queued in step 2 and deleted after it (src/privacy/blob-sweep.ts). Anonymous shells stay (the
 * contact and conversation rows, the facts), so the metrics keep their counts.
 */
export async function eraseContact(
  store: Store,
  contactId: string,
  actor: Actor,
  now: number,
  blobs?: BlobStore,
): Promise<ErasureResult> {
  await requestErasure(store, contactId, actor, now);
  const result = await finishErasure(store, contactId, now);
  // Step 3, after the commit: their files, driven by the rows step 2 queued (a crash leaves them queued).
  return blobs ? { ...result, files: await sweepBlobs(store, blobs) } : result;
}

/** Step 1 alone: what a crash right after it leaves behind (a pending job). */
export async function requestErasure(store: Store, contactId: string, actor: Actor, now: number): Promise<void> {
  const status = await store.erasureStatus(contactId);
  // An erased contact is only its shell; asking again just finishes what is left.
  const contact = status ? null : await store.transaction((tx) => liveContact(tx, contactId));
  const conversations = contact ? await store.findConversationsOfContact(contact.id, { limit: 10_000 }) : [];
  const sent: IdentityRef[] = [];
  for (const c of conversations) {
    for (const m of await store.listMessages(c.id, { limit: 100_000 }))
      if (m.direction === 'inbound' && m.providerId) sent.push(eventTombstone(c.touchpoint.channel, m.providerId));
  }
  await store.transaction(async (tx) => {
    const identities = await tx.listIdentities(contactId);
    const marks = [...identities.map((i) => ({ kind: i.kind, value: i.value })), ...sent];
    const fresh = await tx.requestErasure(contactId, actor.agentId, marks, now);
    const detail = { identities: identities.length, conversations: conversations.length, again: !fresh };
    await audit(tx, actor, 'erase', { contactId }, detail, now);
  });
}

/** Step 2: the rows removed and the job finished, in one transaction. */
export async function finishErasure(store: Store, contactId: string, now: number): Promise<ErasureResult> {
  const erased = await store.transaction(async (tx) => {
    const rows = await tx.eraseContactRows(contactId, now);
    await tx.finishErasure(contactId, now);
    return rows;
  });
  return { contactId, status: 'done', erased };
}

/** Finishes erasures a crash interrupted; run at start. Returns the contacts finished. */
export async function resumeErasures(store: Store, now: number): Promise<string[]> {
  const pending = await store.pendingErasures();
  for (const id of pending) await finishErasure(store, id, now);
  return pending;
}
