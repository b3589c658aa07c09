import { sql } from 'kysely';
import { claimDue, notOfKinds, putBackUntil } from './claim.ts';
import type { Lease, Timer } from './contract.ts';
import { reservedFor } from './inbound.ts';
import { type Ctx, PENDING } from './query-helpers.ts';
import { timerFromRow } from './rows.ts';

/** Leases due pending timers whose lease is free or expired, earliest first; kinds starting with a `skipKinds` prefix wait. */
export async function claimTimers(ctx: Ctx, lease: Lease, skipKinds: readonly string[] = []): Promise<Timer[]> {
  return (await claimDue(ctx, 'timers', lease, skipKinds)).map(timerFromRow);
}

export function rescheduleTimer(ctx: Ctx, id: string, dueAt: number, error: string): Promise<void> {
  return putBackUntil(ctx, 'timers', id, { dueAt, error });
}

/** When a row next needs a worker: it falls due, or the lease holding it back runs out. */
const readyAt = sql<number>`case when lease_until > due_at then lease_until else due_at end`;

/**
 * Unleased and leased rows are asked for separately: each half is answered
 * from its own partial index (the `*_ready` and `*_leased` indexes) instead of
 * a scan of every pending row, which matters because the loops ask after every round.
 */
export async function nextDueAt(ctx: Ctx, skipKinds: readonly string[] = []): Promise<number | null> {
  const paused = skipKinds.length > 0;
  const row = await ctx.db
    .selectNoFrom((eb) => [
      eb
        .selectFrom('outbox')
        .select((s) => s.fn.min('due_at').as('t'))
        .where('status', '=', PENDING)
        .where('lease_until', 'is', null)
        .as('outbox'),
      eb
        .selectFrom('outbox')
        .select((s) => s.fn.min(readyAt).as('t'))
        .where('status', '=', PENDING)
        .where('lease_until', 'is not', null)
        .as('outboxLeased'),
      eb
        .selectFrom('timers')
        .select((s) => s.fn.min('due_at').as('t'))
        .where('status', '=', PENDING)
        .where('lease_until', 'is', null)
        .$if(paused, (q) => q.where(notOfKinds(skipKinds)))
        .as('timers'),
      eb
        .selectFrom('timers')
        .select((s) => s.fn.min(readyAt).as('t'))
        .where('status', '=', PENDING)
        .where('lease_until', 'is not', null)
        .$if(paused, (q) => q.where(notOfKinds(skipKinds)))
        .as('timersLeased'),
      eb
        .selectFrom('inbound_events')
        .select((s) => s.fn.min('lease_until').as('t'))
        .where('status', '=', PENDING)
        .where('lease_until', 'is not', null)
        .as('inbound'),
    ])
    .executeTakeFirstOrThrow();
  const times = [row.outbox, row.outboxLeased, row.timers, row.timersLeased, row.inbound].filter(
    (t): t is number => t != null,
  );
  return times.length === 0 ? null : Math.min(...times);
}

/** How many pending rows a release handed back, per queue. */
export interface ReleasedLeases {
  inbound: number;
  outbox: number;
  timers: number;
}

/** Frees the owner's leases on all three queues so the rows can be claimed at once. */
export async function releaseLeases(ctx: Ctx, owner: string): Promise<ReleasedLeases> {
  const free = { lease_owner: null, lease_until: null };
  // Inbound events reserved for the owner's router go back too, for other routers to take at once.
  const owners = { inbound_events: [owner, reservedFor(owner)], outbox: [owner], timers: [owner] };
  const released = { inbound_events: 0, outbox: 0, timers: 0 };
  for (const table of ['inbound_events', 'outbox', 'timers'] as const) {
    const r = await ctx.db
      .updateTable(table)
      .set(free)
      .where('status', '=', PENDING)
      // A leased row always has lease_until: this term lets the `*_leased` partial index find the few leased
      // rows, where lease_owner alone scanned every pending row (a million pending timers: 300 ms, at each start and stop).
      .where('lease_until', 'is not', null)
      .where('lease_owner', 'in', owners[table])
      .executeTakeFirst();
    released[table] = Number(r.numUpdatedRows);
  }
  return { inbound: released.inbound_events, outbox: released.outbox, timers: released.timers };
}
