import { sql } from 'kysely';
import { yieldTurn } from '../turns.ts';
import type { Ctx } from './query-helpers.ts';

/** A conversation's dimensions as KPIs break down by them (the agent comes from the facts). */
export interface Dimensions {
  channel: string;
  touchpoint: string;
  category: string | null;
  intent: string | null;
  vip: boolean;
}

/** Staff threads (pages, notices to people) are not support conversations. */
export const NOT_STAFF = sql<boolean>`c.tags not like '%"staff"%'`;
/** Ids per lookup: well under either dialect's limit on bound parameters. */
const CHUNK = 1000;

/**
 * The dimensions of many conversations, each looked up once however many
 * facts it has (SQLite joins row by row, so joining them to every fact costs
 * a lookup per fact). Staff threads are left out, so their rows drop.
 */
export async function dimensionsOf(
  ctx: Ctx,
  ids: Iterable<string>,
  known: Map<string, Dimensions | null>,
): Promise<void> {
  const wanted = [...new Set(ids)].filter((id) => !known.has(id));
  if (wanted.length === 0) return;
  // VIPs are few: read once, rather than joining every conversation to its contact
  const vips = new Set(
    (await ctx.db.selectFrom('contacts').select('id').where(sql<boolean>`vip = 1`).execute()).map((r) => r.id),
  );
  for (let i = 0; i < wanted.length; i += CHUNK) {
    const chunk = wanted.slice(i, i + CHUNK);
    const rows = await ctx.db
      .selectFrom('conversations as c')
      .select(['c.id', 'c.contact_id', 'c.channel', 'c.touchpoint_kind', 'c.category', 'c.intent'])
      .where('c.id', 'in', chunk)
      .where(NOT_STAFF)
      .execute();
    for (const id of chunk) known.set(id, null);
    for (const r of rows)
      known.set(r.id, {
        channel: r.channel,
        touchpoint: r.touchpoint_kind,
        category: r.category,
        intent: r.intent,
        vip: vips.has(r.contact_id),
      });
    await yieldTurn();
  }
}
