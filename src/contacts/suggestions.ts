import { actorOf, audit } from '../access/audit.ts';
import { HttpError, notFound } from '../errors.ts';
import type { MergeRecord, MergeSuggestion } from '../store/contact-records.ts';
import type { StoreTx } from '../store/contract.ts';
import { mergeContacts } from './merge.ts';

/**
 * An agent's answer to a suggested match. Accepting merges the newer contact
 * into the older one (or into `into`, when the agent names one side); a side
 * merged away since the suggestion is followed to where it lives now.
 */

export interface SuggestionDecision {
  suggestion: MergeSuggestion;
  merge: MergeRecord | null;
}

async function pending(tx: StoreTx, id: string): Promise<MergeSuggestion> {
  const s = await tx.getSuggestion(id);
  if (!s) throw notFound(`no suggestion ${id}`);
  if (s.status !== 'pending') {
    throw new HttpError(409, 'suggestion_decided', `suggestion ${id} was already ${s.status} by ${s.decidedBy}`);
  }
  return s;
}

const liveId = async (tx: StoreTx, id: string): Promise<string> => (await tx.mergedInto(id)) ?? id;

export async function acceptSuggestion(
  tx: StoreTx,
  id: string,
  opts: { by: string; now: number; into?: string | undefined; via?: string },
): Promise<SuggestionDecision> {
  const s = await pending(tx, id);
  const a = await liveId(tx, s.contactId);
  const b = await liveId(tx, s.otherId);
  let merge: MergeRecord | null = null;
  if (a !== b) {
    const [ca, cb] = await Promise.all([tx.getContact(a), tx.getContact(b)]);
    if (!ca || !cb) throw notFound(`a contact of suggestion ${id} no longer exists`);
    const into = await chooseInto(tx, opts.into, ca, cb);
    merge = await mergeContacts(tx, {
      fromId: into === a ? b : a,
      intoId: into,
      by: opts.by,
      now: opts.now,
      via: opts.via,
    });
  }
  await tx.decideSuggestion(id, 'accepted', opts.by, opts.now);
  return { suggestion: { ...s, status: 'accepted', decidedAt: opts.now, decidedBy: opts.by }, merge };
}

async function chooseInto(
  tx: StoreTx,
  named: string | undefined,
  a: { id: string; createdAt: number },
  b: { id: string; createdAt: number },
): Promise<string> {
  if (named === undefined)
    return a.createdAt < b.createdAt || (a.createdAt === b.createdAt && a.id < b.id) ? a.id : b.id;
  const resolved = await liveId(tx, named);
  if (resolved !== a.id && resolved !== b.id) {
    throw new HttpError(400, 'invalid_request', `into must be one of the suggested contacts: ${a.id} or ${b.id}`);
  }
  return resolved;
}

export async function rejectSuggestion(
  tx: StoreTx,
  id: string,
  opts: { by: string; now: number; via?: string },
): Promise<SuggestionDecision> {
  const s = await pending(tx, id);
  await tx.decideSuggestion(id, 'rejected', opts.by, opts.now);
  const actor = await actorOf(tx, opts.by, opts.via ?? 'api');
  await audit(
    tx,
    actor,
    'suggestion.reject',
    { contactId: s.contactId },
    { suggestionId: id, otherId: s.otherId },
    opts.now,
  );
  return { suggestion: { ...s, status: 'rejected', decidedAt: opts.now, decidedBy: opts.by }, merge: null };
}
