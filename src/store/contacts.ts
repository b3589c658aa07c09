import { type Selectable, sql } from 'kysely';
import { newId } from '../ids.ts';
import type { Contact, Identity, IdentityRef } from '../model/types.ts';
import { moveContactHistory } from './contact-history.ts';
import type { MergeRecord, MergeSuggestion, MovedRows, NewSuggestion, SuggestionStatus } from './contact-records.ts';
import { staleKpiDaysOfContact } from './kpi-days.ts';
import { type Ctx, clampLimit, count, PENDING } from './query-helpers.ts';
import { contactFromRow, fromJson, toJson } from './rows.ts';
import type { ContactSuggestionsTable, IdentitiesTable } from './schema.ts';

/** Contacts beyond identities: suggested matches, merges and their redirects, tags. */

/** A chain of merges is short; the bound only guards against a cycle written by hand. */
const MAX_REDIRECTS = 20;

export function identityFromRow(r: Selectable<IdentitiesTable>): Identity {
  return { id: r.id, contactId: r.contact_id, kind: r.kind, value: r.value, verified: r.verified === 1 };
}

export async function findIdentity(ctx: Ctx, ref: Pick<IdentityRef, 'kind' | 'value'>): Promise<Identity | null> {
  const row = await ctx.db
    .selectFrom('identities')
    .selectAll()
    .where('kind', '=', ref.kind)
    .where('value', '=', ref.value)
    .executeTakeFirst();
  return row ? identityFromRow(row) : null;
}

export async function removeIdentity(ctx: Ctx, contactId: string, identityId: string): Promise<boolean> {
  const r = await ctx.db
    .deleteFrom('identities')
    .where('id', '=', identityId)
    .where('contact_id', '=', contactId)
    .executeTakeFirst();
  return count(r.numDeletedRows) > 0;
}

export async function findContactsByName(ctx: Ctx, name: string, limit: number): Promise<Contact[]> {
  const rows = await ctx.db
    .selectFrom('contacts')
    .selectAll()
    .where((eb) => eb(eb.fn('lower', ['name']), '=', name.toLowerCase()))
    .where('id', 'not in', (eb) => eb.selectFrom('contact_merges').select('from_id'))
    .orderBy('created_at')
    .orderBy('id')
    .limit(clampLimit(limit, 10))
    .execute();
  return rows.map(contactFromRow);
}

const pairKey = (a: string, b: string): string => (a < b ? `${a}|${b}` : `${b}|${a}`);

function suggestionFromRow(r: Selectable<ContactSuggestionsTable>): MergeSuggestion {
  return {
    id: r.id,
    contactId: r.contact_id,
    otherId: r.other_id,
    reason: r.reason as MergeSuggestion['reason'],
    evidence: r.evidence,
    status: r.status as SuggestionStatus,
    createdAt: r.created_at,
    decidedAt: r.decided_at,
    decidedBy: r.decided_by,
  };
}

export async function suggestMerge(ctx: Ctx, s: NewSuggestion, now: number): Promise<MergeSuggestion | null> {
  const row: Selectable<ContactSuggestionsTable> = {
    id: newId(),
    pair_key: pairKey(s.contactId, s.otherId),
    contact_id: s.contactId,
    other_id: s.otherId,
    reason: s.reason,
    evidence: s.evidence,
    status: 'pending',
    created_at: now,
    decided_at: null,
    decided_by: null,
  };
  const inserted = await ctx.db
    .insertInto('contact_suggestions')
    .values(row)
    .onConflict((oc) => oc.column('pair_key').doNothing())
    .returning('id')
    .executeTakeFirst();
  return inserted ? suggestionFromRow(row) : null;
}

export async function listSuggestions(
  ctx: Ctx,
  q: { status?: SuggestionStatus; contactId?: string; limit?: number },
): Promise<MergeSuggestion[]> {
  const rows = await ctx.db
    .selectFrom('contact_suggestions')
    .selectAll()
    .$if(q.status !== undefined, (b) =>
      q.status === 'pending' ? b.where('status', '=', PENDING) : b.where('status', '=', q.status as string),
    )
    .$if(q.contactId !== undefined, (b) =>
      b.where((eb) =>
        eb.or([eb('contact_id', '=', q.contactId as string), eb('other_id', '=', q.contactId as string)]),
      ),
    )
    .orderBy('created_at')
    .orderBy('id')
    .limit(clampLimit(q.limit, 50))
    .execute();
  return rows.map(suggestionFromRow);
}

export async function getSuggestion(ctx: Ctx, id: string): Promise<MergeSuggestion | null> {
  const row = await ctx.db.selectFrom('contact_suggestions').selectAll().where('id', '=', id).executeTakeFirst();
  return row ? suggestionFromRow(row) : null;
}

export async function decideSuggestion(
  ctx: Ctx,
  id: string,
  status: Exclude<SuggestionStatus, 'pending'>,
  by: string,
  now: number,
): Promise<boolean> {
  const r = await ctx.db
    .updateTable('contact_suggestions')
    .set({ status, decided_by: by, decided_at: now })
    .where('id', '=', id)
    .where('status', '=', PENDING)
    .executeTakeFirst();
  return count(r.numUpdatedRows) > 0;
}

export async function moveContactRows(ctx: Ctx, fromId: string, intoId: string): Promise<MovedRows> {
  const { db } = ctx;
  const identities = await db
    .selectFrom('identities')
    .select(['kind', 'value'])
    .where('contact_id', '=', fromId)
    .orderBy('id')
    .execute();
  await db.updateTable('identities').set({ contact_id: intoId }).where('contact_id', '=', fromId).execute();
  const conversations = (
    await db.selectFrom('conversations').select('id').where('contact_id', '=', fromId).orderBy('id').execute()
  ).map((r) => r.id);
  await db.updateTable('conversations').set({ contact_id: intoId }).where('contact_id', '=', fromId).execute();
  // the moved conversations take the VIP mark of the contact they join
  await staleKpiDaysOfContact(db, intoId);
  const timers =
    conversations.length === 0
      ? 0
      : count(
          (
            await db
              .selectFrom('timers')
              .select((eb) => eb.fn.countAll().as('n'))
              .where('conversation_id', 'in', conversations)
              .where('status', '=', PENDING)
              .executeTakeFirst()
          )?.n as number | undefined,
        );
  const tags = await tagsOf(ctx, fromId);
  if (tags.length > 0) await addTags(ctx, intoId, tags);
  await db.deleteFrom('contact_tags').where('contact_id', '=', fromId).execute();
  await moveContactHistory(ctx, fromId, intoId);
  return { identities, conversations, timers, tags };
}

export async function recordMerge(ctx: Ctx, rec: Omit<MergeRecord, 'id'>): Promise<MergeRecord> {
  const id = newId();
  await ctx.db
    .insertInto('contact_merges')
    .values({ id, from_id: rec.fromId, into_id: rec.intoId, by: rec.by, at: rec.at, moved: toJson(rec.moved) })
    .execute();
  return { id, ...rec };
}

export async function mergedInto(ctx: Ctx, id: string): Promise<string | null> {
  let current = id;
  for (let i = 0; i < MAX_REDIRECTS; i++) {
    const row = await ctx.db
      .selectFrom('contact_merges')
      .select('into_id')
      .where('from_id', '=', current)
      .executeTakeFirst();
    if (!row) return current === id ? null : current;
    current = row.into_id;
  }
  return current;
}

export async function listMerges(ctx: Ctx, contactId: string): Promise<MergeRecord[]> {
  const rows = await ctx.db
    .selectFrom('contact_merges')
    .selectAll()
    .where((eb) => eb.or([eb('into_id', '=', contactId), eb('from_id', '=', contactId)]))
    .orderBy('at')
    .orderBy('id')
    .execute();
  return rows.map((r) => ({
    id: r.id,
    fromId: r.from_id,
    intoId: r.into_id,
    by: r.by,
    at: r.at,
    moved: fromJson(r.moved),
  }));
}

export async function tagsOf(ctx: Ctx, contactId: string): Promise<string[]> {
  const rows = await ctx.db
    .selectFrom('contact_tags')
    .select('tag')
    .where('contact_id', '=', contactId)
    .orderBy('tag')
    .execute();
  return rows.map((r) => r.tag);
}

export async function addTags(ctx: Ctx, contactId: string, tags: string[]): Promise<void> {
  if (tags.length === 0) return;
  await ctx.db
    .insertInto('contact_tags')
    .values(tags.map((tag) => ({ contact_id: contactId, tag })))
    .onConflict((oc) => oc.columns(['contact_id', 'tag']).doNothing())
    .execute();
}

export async function removeTags(ctx: Ctx, contactId: string, tags: string[]): Promise<void> {
  if (tags.length === 0) return;
  await ctx.db.deleteFrom('contact_tags').where('contact_id', '=', contactId).where('tag', 'in', tags).execute();
}

export interface ContactQuery {
  /** Part of a name or of an identity's value, ignoring case. */
  search?: string;
  tag?: string;
  vip?: boolean;
  /** An attribute with this value, compared as text (`plan` = `gold`, `lifetimeSpend` = `1200`); the name is word characters. */
  attribute?: { name: string; value: string };
  limit?: number;
  /** Contacts created strictly before this instant (for paging, newest first). */
  before?: number;
}

/** `%`, `_` and the escape itself are literal in a search. */
const likeEscaped = (s: string): string => `%${s.toLowerCase().replace(/[\\%_]/g, (c) => `\\${c}`)}%`;

/** One attribute of the JSON column as text, in the store's own dialect (the caller checked the name is word characters). */
export function attributeText(ctx: Ctx, name: string) {
  if (!/^[\w-]+$/.test(name)) throw new TypeError(`attribute name ${JSON.stringify(name)} is not word characters`);
  return ctx.kind === 'postgres'
    ? sql<string>`(attributes::jsonb ->> ${name})`
    : sql<string>`cast(json_extract(attributes, ${`$."${name}"`}) as text)`;
}

export async function listContacts(ctx: Ctx, q: ContactQuery): Promise<Contact[]> {
  const pattern = q.search ? likeEscaped(q.search) : null;
  const rows = await ctx.db
    .selectFrom('contacts')
    .selectAll()
    .where('id', 'not in', (eb) => eb.selectFrom('contact_merges').select('from_id'))
    .$if(pattern !== null, (b) =>
      b.where((eb) =>
        eb.or([
          eb(eb.fn('lower', ['name']), 'like', sql<string>`${pattern} escape '\\'`),
          eb(
            'id',
            'in',
            eb
              .selectFrom('identities')
              .select('contact_id')
              .where(sql<string>`lower(value)`, 'like', sql<string>`${pattern} escape '\\'`),
          ),
        ]),
      ),
    )
    .$if(q.tag !== undefined, (b) =>
      b.where('id', 'in', (eb) =>
        eb
          .selectFrom('contact_tags')
          .select('contact_id')
          .where('tag', '=', q.tag as string),
      ),
    )
    .$if(q.vip !== undefined, (b) => b.where('vip', '=', q.vip ? 1 : 0))
    .$if(q.attribute !== undefined, (b) =>
      b.where(attributeText(ctx, q.attribute?.name as string), '=', q.attribute?.value as string),
    )
    .$if(q.before !== undefined, (b) => b.where('created_at', '<', q.before as number))
    .orderBy('created_at', 'desc')
    .orderBy('id', 'desc')
    .limit(clampLimit(q.limit, 50))
    .execute();
  return rows.map(contactFromRow);
}

/** Ids starting with `prefix` in `table`, at most `limit` (a caller asks for 2 to tell unique from ambiguous). */
export async function idsWithPrefix(
  ctx: Ctx,
  table: 'contacts' | 'conversations',
  prefix: string,
  limit: number,
): Promise<string[]> {
  const rows = await ctx.db
    .selectFrom(table)
    .select('id')
    .where('id', '>=', prefix)
    .where('id', '<', `${prefix}\uffff`)
    .orderBy('id')
    .limit(clampLimit(limit, 2))
    .execute();
  return rows.map((r) => r.id);
}
