import { type Kysely, sql } from 'kysely';
import type { FactKind } from '../facts/derive.ts';
import { type FactInputs, factInputs } from './fact-reads.ts';
import { atomicCtx, type Ctx } from './query-helpers.ts';
import type { Database } from './schema.ts';

/**
 * KPI inputs per closed UTC day, stored once built and deleted by any write
 * that changes them, in that write's transaction. A day is stored only once
 * it ended KPI_DAY_SETTLED_MS ago (readers ask for no younger one); a writer
 * skips the delete for a conversation opened within a day of its write,
 * which no stored day can hold, so routing fresh conversations costs nothing
 * here (the day between allows the readers' and writers' clocks to differ).
 */

const DAY_MS = 86_400_000;
export const KPI_DAY_SETTLED_MS = 2 * DAY_MS;

export interface StoredKpiDays {
  /** When the first conversation opened (null: none yet): no day before its own holds anything. */
  firstOpenedAt: number | null;
  days: Map<number, string>;
}

export async function storedKpiDays(ctx: Ctx, from: number, to: number): Promise<StoredKpiDays> {
  const first = await ctx.db
    .selectFrom('conversation_facts')
    .select((eb) => eb.fn.min('created_at').as('at'))
    .executeTakeFirst();
  const rows = await ctx.db
    .selectFrom('kpi_days')
    .select(['day', 'cells'])
    .where('day', '>=', from)
    .where('day', '<', to)
    .execute();
  return {
    firstOpenedAt: first?.at == null ? null : Number(first.at),
    days: new Map(rows.map((r) => [Number(r.day), r.cells])),
  };
}

/**
 * The stored day, or built from the day's inputs by `aggregate` and stored, in
 * one transaction. On PostgreSQL the table lock waits for writers that deleted
 * days to commit, and holds back new ones until this commits, so a day never
 * stores inputs older than a write that already deleted it. SQLite runs one
 * transaction at a time.
 */
export function kpiDay(
  ctx: Ctx,
  day: number,
  kinds: FactKind[],
  aggregate: (input: FactInputs) => string,
): Promise<string> {
  return atomicCtx(ctx, async (tx) => {
    if (tx.kind === 'postgres') await sql`lock table kpi_days in share row exclusive mode`.execute(tx.db);
    const kept = await tx.db.selectFrom('kpi_days').select('cells').where('day', '=', day).executeTakeFirst();
    if (kept) return kept.cells;
    const cells = aggregate(await factInputs(tx, kinds, day, day + DAY_MS));
    await tx.db.insertInto('kpi_days').values({ day, cells }).execute();
    return cells;
  });
}

/** A write to a conversation opened at `openedAt`: every stored day from that one on may count it. */
export async function staleKpiDays(db: Kysely<Database>, openedAt: number, now: number): Promise<void> {
  if (openedAt >= now - DAY_MS) return;
  await db
    .deleteFrom('kpi_days')
    .where('day', '>', openedAt - DAY_MS)
    .execute();
}

/** A contact's VIP mark changed, or its conversations moved to it: the days of all its conversations. */
export async function staleKpiDaysOfContact(db: Kysely<Database>, contactId: string): Promise<void> {
  await db
    .deleteFrom('kpi_days')
    .where(sql<boolean>`day > (select min(created_at) from conversations where contact_id = ${contactId}) - ${DAY_MS}`)
    .execute();
}

/** Staff threads among `ids` lose their tags: from then on they count as support conversations. */
export async function staleKpiDaysOfStaff(db: Kysely<Database>, ids: string[]): Promise<void> {
  if (ids.length === 0) return;
  await db
    .deleteFrom('kpi_days')
    .where(
      sql<boolean>`day > (select min(created_at) from conversations where id in (${sql.join(ids)}) and tags like '%"staff"%') - ${DAY_MS}`,
    )
    .execute();
}
