import { type ExpressionBuilder, sql } from 'kysely';
import type { Lease } from './contract.ts';
import { type Ctx, checkLease, PENDING } from './query-helpers.ts';
import type { OutboxRow, TimerRow } from './rows.ts';
import type { Database } from './schema.ts';
import type { WebhookRow } from './webhook-deliveries.ts';

/**
 * Rows whose kind starts with none of `prefixes` (timer kinds paused by a
 * crisis). A substring comparison, not LIKE: kinds may hold `_` or `%`.
 */
export function notOfKinds(prefixes: readonly string[]) {
  return (eb: ExpressionBuilder<Database, 'timers'>) =>
    eb.and(prefixes.map((p) => eb(sql<string>`substr(kind, 1, ${p.length})`, '<>', p)));
}

/**
 * Leases the due pending rows of `table` whose lease is free or expired,
 * earliest due first (then by id). On PostgreSQL, rows another instance is
 * claiming are skipped rather than waited for.
 */
export async function claimDue(ctx: Ctx, table: 'outbox', lease: Lease): Promise<OutboxRow[]>;
export async function claimDue(
  ctx: Ctx,
  table: 'timers',
  lease: Lease,
  skipKinds?: readonly string[],
): Promise<TimerRow[]>;
export async function claimDue(ctx: Ctx, table: 'webhook_deliveries', lease: Lease): Promise<WebhookRow[]>;
export async function claimDue(
  ctx: Ctx,
  table: 'outbox' | 'timers' | 'webhook_deliveries',
  lease: Lease,
  skipKinds: readonly string[] = [],
): Promise<{ id: string; due_at: number }[]> {
  const limit = checkLease(lease);
  const { owner, now, leaseMs } = lease;
  const rows = await ctx.db
    .updateTable(table)
    .set({ lease_owner: owner, lease_until: now + leaseMs })
    .where('id', 'in', (eb) =>
      eb
        .selectFrom(table)
        .select('id')
        .where('status', '=', PENDING)
        .where('due_at', '<=', now)
        .where((w) => w.or([w('lease_until', 'is', null), w('lease_until', '<=', now)]))
        .$if(skipKinds.length > 0, (q) => q.where(notOfKinds(skipKinds)))
        .orderBy('due_at')
        .orderBy('id')
        .limit(limit)
        .$if(ctx.kind === 'postgres', (q) => q.forUpdate().skipLocked()),
    )
    .returningAll()
    .execute();
  return rows.sort((a, b) => a.due_at - b.due_at || (a.id < b.id ? -1 : 1));
}

/** Extends a pending row's lease, only while `owner` still holds it. */
export async function renewLease(
  ctx: Ctx,
  table: 'outbox' | 'timers' | 'webhook_deliveries',
  id: string,
  owner: string,
  until: number,
): Promise<boolean> {
  const renewed = await ctx.db
    .updateTable(table)
    .set({ lease_until: until })
    .where('id', '=', id)
    .where('lease_owner', '=', owner)
    .where('status', '=', PENDING)
    .executeTakeFirst();
  return Number(renewed.numUpdatedRows) === 1;
}

/** Frees a pending row for the next claim, only while `owner` still holds it: never another worker's. */
export async function releaseLease(
  ctx: Ctx,
  table: 'outbox' | 'timers' | 'webhook_deliveries',
  id: string,
  owner: string,
): Promise<void> {
  await ctx.db
    .updateTable(table)
    .set({ lease_owner: null, lease_until: null })
    .where('id', '=', id)
    .where('lease_owner', '=', owner)
    .where('status', '=', PENDING)
    .execute();
}

/**
 * Puts a pending row back to wait until `dueAt`, free for any worker's next claim: a retry.
 * With `owner`, only while that worker still holds it.
 */
export async function putBackUntil(
  ctx: Ctx,
  table: 'timers' | 'media_fetches' | 'webhook_deliveries',
  id: string,
  o: { dueAt: number; error: string | null; countAttempt?: boolean; owner?: string },
): Promise<void> {
  await ctx.db
    .updateTable(table)
    .set((eb) => ({
      due_at: o.dueAt,
      lease_owner: null,
      lease_until: null,
      ...(o.error !== null ? { last_error: o.error } : {}),
      ...(o.countAttempt !== false ? { attempts: eb('attempts', '+', 1) } : {}),
    }))
    .where('id', '=', id)
    .$if(o.owner !== undefined, (q) => q.where('lease_owner', '=', o.owner ?? ''))
    .where('status', '=', PENDING)
    .execute();
}
