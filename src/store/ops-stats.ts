import { sql } from 'kysely';
import type { Ctx } from './query-helpers.ts';

/** What an operator watches in the store: queues, their age, dead letters, late timers, size on disk. */
export interface OperationalStats {
  outboxPending: number;
  /** Due time of the oldest pending send (epoch ms), null when the queue is empty. */
  outboxOldestDueAt: number | null;
  deadLetters: number;
  inboundPending: number;
  timersPending: number;
  /** Due time of the oldest pending timer already due, null when none is late. */
  timerOldestOverdueAt: number | null;
  /** Bytes the store takes (SQLite file pages; PostgreSQL tables and indexes of its schema). */
  sizeBytes: number;
}

const n = (v: unknown): number => Number(v ?? 0);
const orNull = (v: unknown): number | null => (v == null ? null : Number(v));

export async function operationalStats(ctx: Ctx, now: number): Promise<OperationalStats> {
  const { db } = ctx;
  const outbox = await db
    .selectFrom('outbox')
    .select((eb) => [eb.fn.countAll().as('n'), eb.fn.min('due_at').as('oldest')])
    .where(sql<boolean>`status = 'pending'`)
    .executeTakeFirst();
  const dead = await db
    .selectFrom('outbox')
    .select((eb) => eb.fn.countAll().as('n'))
    .where(sql<boolean>`status = 'dead'`)
    .executeTakeFirst();
  const inbound = await db
    .selectFrom('inbound_events')
    .select((eb) => eb.fn.countAll().as('n'))
    .where(sql<boolean>`status = 'pending'`)
    .executeTakeFirst();
  const timers = await db
    .selectFrom('timers')
    .select((eb) => eb.fn.countAll().as('n'))
    .where(sql<boolean>`status = 'pending'`)
    .executeTakeFirst();
  const late = await db
    .selectFrom('timers')
    .select((eb) => eb.fn.min('due_at').as('oldest'))
    .where(sql<boolean>`status = 'pending' and lease_until is null`)
    .where('due_at', '<=', now)
    .executeTakeFirst();
  return {
    outboxPending: n(outbox?.n),
    outboxOldestDueAt: orNull(outbox?.oldest),
    deadLetters: n(dead?.n),
    inboundPending: n(inbound?.n),
    timersPending: n(timers?.n),
    timerOldestOverdueAt: orNull(late?.oldest),
    sizeBytes: await sizeBytes(ctx),
  };
}

async function sizeBytes(ctx: Ctx): Promise<number> {
  if (ctx.kind === 'sqlite') {
    const r = await sql<{
      size: number;
    }>`select page_count * page_size as size from pragma_page_count(), pragma_page_size()`.execute(ctx.db);
    return n(r.rows[0]?.size);
  }
  const r = await sql<{ size: string }>`
    select coalesce(sum(pg_total_relation_size(c.oid)), 0) as size
    from pg_class c join pg_namespace s on s.oid = c.relnamespace
    where s.nspname = current_schema() and c.relkind = 'r'`.execute(ctx.db);
  return n(r.rows[0]?.size);
}
