import { actorOf, audit } from '../access/audit.ts';
import { HttpError, notFound } from '../errors.ts';
import type { Contact } from '../model/types.ts';
import type { MergeMoved, MergeRecord } from '../store/contact-records.ts';
import type { ContactPatch, StoreTx } from '../store/contract.ts';

/**
 * Two contacts become one, in the caller's transaction. `from` is merged into
 * `into`: its identities, conversations (their pending timers go with them)
 * and tags move; its id redirects to `into` from then on. The contact fields
 * combine by these rules:
 * - name, language, timezone: the surviving contact's, unless it has none;
 * - VIP: either one is VIP;
 * - opt-outs: the union (the stricter wins: an opt-out on either side holds);
 * - attributes: the surviving contact's value wins a conflict; keys only the
 *   other has move; the values that lost are kept in the merge record.
 */

export interface MergeRequest {
  fromId: string;
  intoId: string;
  by: string;
  /** Where the merge came from, for the audit log (default `api`). */
  via?: string;
  now: number;
}

/** The surviving contact's changes and what each rule took from the other. */
export function combineContacts(
  into: Contact,
  from: Contact,
): { patch: ContactPatch; attributes: MergeMoved['attributes']; optOuts: string[] } {
  const moved = Object.keys(from.attributes).filter((k) => !Object.hasOwn(into.attributes, k));
  const kept: Record<string, unknown> = {};
  for (const [k, v] of Object.entries(from.attributes)) {
    if (Object.hasOwn(into.attributes, k) && JSON.stringify(into.attributes[k]) !== JSON.stringify(v)) kept[k] = v;
  }
  const optOuts = [...new Set([...into.optOuts, ...from.optOuts])].sort();
  return {
    patch: {
      name: into.name ?? from.name,
      vip: into.vip || from.vip,
      language: into.language ?? from.language,
      timezone: into.timezone ?? from.timezone,
      optOuts,
      attributes: { ...from.attributes, ...into.attributes },
    },
    attributes: { moved, kept },
    optOuts: from.optOuts.filter((o) => !into.optOuts.includes(o)),
  };
}

/** A live contact (not merged away), or the 4xx that says why not. */
export async function liveContact(tx: StoreTx, id: string): Promise<Contact> {
  const contact = await tx.getContact(id);
  if (!contact) throw notFound(`no contact ${id}`);
  const target = await tx.mergedInto(id);
  if (target) throw new HttpError(409, 'contact_merged', `contact ${id} was merged into ${target}; use ${target}`);
  return contact;
}

export async function mergeContacts(tx: StoreTx, req: MergeRequest): Promise<MergeRecord> {
  if (req.fromId === req.intoId) {
    throw new HttpError(400, 'merge_into_itself', `contact ${req.fromId} cannot be merged into itself`);
  }
  const into = await liveContact(tx, req.intoId);
  const from = await liveContact(tx, req.fromId);
  const combined = combineContacts(into, from);
  const rows = await tx.moveContactRows(from.id, into.id);
  await tx.updateContact(into.id, combined.patch);
  const actor = await actorOf(tx, req.by, req.via ?? 'api');
  await audit(tx, actor, 'merge', { contactId: into.id }, { fromId: from.id, intoId: into.id }, req.now);
  return tx.recordMerge({
    fromId: from.id,
    intoId: into.id,
    by: req.by,
    at: req.now,
    moved: { ...rows, attributes: combined.attributes, optOuts: combined.optOuts },
  });
}
