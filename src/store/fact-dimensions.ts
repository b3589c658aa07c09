import { sql } from 'kysely';
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
const NOT_STAFF = sql<boolean>`c.tags not like '%"staff"%'`;
/** Ids per lookup: well under either dialect's limit on bound parameters. */
const CHUNK = 1000;

export const yieldTurn = (): Promise<void> => new Promise((resolve) => setImmediate(resolve));

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
  const keep = (r: DimensionRow) =>
    known.set(r.id, {
      channel: r.channel,
      touchpoint: r.touchpoint_kind,
      category: r.category,
      intent: r.intent,
      vip: vips.has(r.contact_id),
    });
  if (wanted.length >= SCAN_FROM && wanted.length * SCAN_SHARE >= (await conversationCount(ctx))) {
    await scanAll(ctx, new Set(wanted), keep);
    for (const id of wanted) if (!known.has(id)) known.set(id, null);
    return;
  }
  for (let i = 0; i < wanted.length; i += CHUNK) {
    const chunk = wanted.slice(i, i + CHUNK);
    const rows = await dimensionQuery(ctx).where('c.id', 'in', chunk).execute();
    for (const id of chunk) known.set(id, null);
    for (const r of rows) keep(r);
    await yieldTurn();
  }
}

/**
 * Past a third of all conversations, one ordered pass over the covering index
 * (conversations_dimensions) costs less than looking each one up: a 30-day
 * report of 100,000 conversations wants about 55,000 of them (bench: 1.7 s of
 * lookups against 0.6–0.9 s for the pass, both on a loaded machine).
 */
const SCAN_FROM = 10_000;
const SCAN_SHARE = 3;
const SCAN_PAGE = 5000;

function dimensionQuery(ctx: Ctx) {
  return ctx.db
    .selectFrom('conversations as c')
    .select(['c.id', 'c.contact_id', 'c.channel', 'c.touchpoint_kind', 'c.category', 'c.intent'])
    .where(NOT_STAFF);
}
type DimensionRow = Awaited<ReturnType<ReturnType<typeof dimensionQuery>['execute']>>[number];

async function conversationCount(ctx: Ctx): Promise<number> {
  const row = await ctx.db
    .selectFrom('conversations')
    .select((eb) => eb.fn.countAll<number>().as('n'))
    .executeTakeFirst();
  return Number(row?.n ?? 0);
}

/** Every conversation's dimensions a page at a time in id order, yielding between pages, keeping the wanted ones. */
async function scanAll(ctx: Ctx, wanted: Set<string>, keep: (r: DimensionRow) => void): Promise<void> {
  let after = '';
  for (;;) {
    const page = await dimensionQuery(ctx).where('c.id', '>', after).orderBy('c.id').limit(SCAN_PAGE).execute();
    for (const r of page) if (wanted.has(r.id)) keep(r);
    if (page.length < SCAN_PAGE) return;
    after = page[page.length - 1]?.id ?? after;
    await yieldTurn();
  }
}
