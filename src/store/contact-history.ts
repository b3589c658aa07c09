import { newId } from '../ids.ts';
import type { ContactChange, ContactChangeKind } from './contact-records.ts';
import type { Ctx } from './query-helpers.ts';

/** The contact_history rows: consent, opt-outs and the VIP flag as they changed. */

export async function recordContactChange(ctx: Ctx, change: Omit<ContactChange, 'id'>): Promise<ContactChange> {
  const id = newId();
  await ctx.db
    .insertInto('contact_history')
    .values({
      id,
      contact_id: change.contactId,
      kind: change.kind,
      channel: change.channel,
      on: change.on ? 1 : 0,
      source: change.source,
      at: change.at,
    })
    .execute();
  return { ...change, id };
}

/** Oldest first (ids are time-ordered, so changes at one instant keep their order). */
export async function contactHistory(
  ctx: Ctx,
  contactId: string,
  kinds?: readonly ContactChangeKind[],
): Promise<ContactChange[]> {
  let q = ctx.db.selectFrom('contact_history').selectAll().where('contact_id', '=', contactId);
  if (kinds && kinds.length > 0) q = q.where('kind', 'in', [...kinds]);
  const rows = await q.orderBy('at').orderBy('id').execute();
  return rows.map((r) => ({
    id: r.id,
    contactId: r.contact_id,
    kind: r.kind as ContactChangeKind,
    channel: r.channel,
    on: Number(r.on) === 1,
    source: r.source,
    at: Number(r.at),
  }));
}

/** A merge keeps the merged-away contact's history on the surviving one. */
export async function moveContactHistory(ctx: Ctx, fromId: string, intoId: string): Promise<void> {
  await ctx.db.updateTable('contact_history').set({ contact_id: intoId }).where('contact_id', '=', fromId).execute();
}
