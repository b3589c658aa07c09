import { sql } from 'kysely';
import { LIFE_LOCK } from './life-session.ts';
import type { Ctx } from './query-helpers.ts';
import { type ReleasedLeases, releaseLeases } from './timers.ts';

/**
 * Routers sharing one PostgreSQL say they are alive (a heartbeat row each,
 * and a session lock: life-session.ts); the work leased by one whose session
 * is gone is handed back for the others to take at once, instead of after its
 * leases expire (30–60 s). One that is silent but still holds its session is
 * stalled, not dead: its work stays with it (its leases still bound it).
 */
export interface InstanceRegistry {
  /**
   * Records that `instance` is alive at `now`. False when its row was gone or
   * marked dead: another router took it for dead (and its work) while it was silent.
   */
  beat(instance: string, now: number): Promise<boolean>;
  /**
   * Hands back the work of every other instance silent since before
   * `now - silentMs` whose session is gone. Each is reported by the one caller
   * that marked it dead; a taker that died half-way is finished by the next.
   */
  takeOverSilent(now: number, silentMs: number, self: string): Promise<TakeOver>;
  /** A clean stop: the row goes, so nobody mistakes the stop for a death. */
  leave(instance: string): Promise<void>;
}

export interface TakeOver {
  taken: TakenOver[];
  /** Silent too long, but their sessions are alive: stalled, left alone. */
  stalled: Array<{ instance: string; silentMs: number }>;
}

export interface TakenOver {
  instance: string;
  silentMs: number;
  released: ReleasedLeases;
}

/** The queues' lease owners are `<instance>:<part>` (app.ts). */
const PARTS = ['router', 'outbox', 'timers'] as const;

export async function beat(ctx: Ctx, instance: string, now: number): Promise<boolean> {
  const updated = await ctx.db
    .updateTable('instances')
    .set({ seen_at: now })
    .where('id', '=', instance)
    .where('dead_at', 'is', null)
    .executeTakeFirst();
  if (Number(updated.numUpdatedRows) > 0) return true;
  await ctx.db
    .insertInto('instances')
    .values({ id: instance, started_at: now, seen_at: now, dead_at: null })
    .onConflict((oc) => oc.column('id').doUpdateSet({ seen_at: now, dead_at: null }))
    .execute();
  return false;
}

/** True when nobody holds the instance's life lock: its process (or its host) is gone. */
async function sessionGone(ctx: Ctx, instance: string): Promise<boolean> {
  return ctx.db.transaction().execute(async (trx) => {
    const { rows } = await sql<{
      free: boolean;
    }>`select pg_try_advisory_xact_lock(${LIFE_LOCK}, hashtext(${instance})) as free`.execute(trx);
    return rows[0]?.free === true;
  });
}

export async function takeOverSilent(ctx: Ctx, now: number, silentMs: number, self: string): Promise<TakeOver> {
  const cutoff = now - silentMs;
  const silent = await ctx.db
    .selectFrom('instances')
    .select(['id', 'seen_at', 'dead_at'])
    .where('seen_at', '<', cutoff)
    .where('id', '!=', self)
    .execute();
  const taken: TakenOver[] = [];
  const stalled: TakeOver['stalled'] = [];
  for (const row of silent) {
    if (ctx.kind === 'postgres' && !(await sessionGone(ctx, row.id))) {
      stalled.push({ instance: row.id, silentMs: now - Number(row.seen_at) });
      continue;
    }
    // Whoever marks the row dead takes the work: two survivors never both report one takeover.
    const marked = await ctx.db
      .updateTable('instances')
      .set({ dead_at: now })
      .where('id', '=', row.id)
      .where('seen_at', '<', cutoff)
      .where((w) => w.or([w('dead_at', 'is', null), w('dead_at', '<', cutoff)]))
      .executeTakeFirst();
    if (Number(marked.numUpdatedRows) === 0) continue;
    const released: ReleasedLeases = { inbound: 0, outbox: 0, timers: 0 };
    for (const part of PARTS) {
      const r = await retryDeadlock(() => releaseLeases(ctx, `${row.id}:${part}`));
      released.inbound += r.inbound;
      released.outbox += r.outbox;
      released.timers += r.timers;
    }
    await ctx.db.deleteFrom('instances').where('id', '=', row.id).where('dead_at', '=', now).execute();
    taken.push({ instance: row.id, silentMs: now - Number(row.seen_at), released });
  }
  return { taken, stalled };
}

export async function leave(ctx: Ctx, instance: string): Promise<void> {
  await ctx.db.deleteFrom('instances').where('id', '=', instance).execute();
}

/**
 * Handing a dead router's rows back races the survivors' own routing
 * transactions; PostgreSQL breaks such a deadlock by failing one side, and the
 * release (idempotent) simply runs again.
 */
async function retryDeadlock<T>(fn: () => Promise<T>): Promise<T> {
  for (let attempt = 1; ; attempt++) {
    try {
      return await fn();
    } catch (err) {
      if ((err as { code?: string }).code !== '40P01' || attempt >= 5) throw err;
    }
  }
}
