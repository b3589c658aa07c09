import { type Kysely, sql } from 'kysely';
import { StoreError } from '../errors.ts';
import { newId } from '../ids.ts';
import type { InboundEvent, InboundStatus, InboundTurn, Lease, NewInbound, Reservation } from './contract.ts';
import { envelopeToJson } from './envelope-json.ts';
import * as hot from './hot-queries.ts';
import { type Ctx, checkLease, count, FAILED, PENDING } from './query-helpers.ts';
import { inboundFromRow } from './rows.ts';
import type { Database } from './schema.ts';

/** Rows per INSERT: few distinct statement shapes to cache, well under both dialects' parameter limits. */
const INSERT_CHUNK = 100;

/** Serialises inbound claims across processes (two-int key space, apart from lockThread's). */
const CLAIM_LOCK = sql`select pg_advisory_xact_lock(7301, 2)`;

function check(e: NewInbound): void {
  if (!e.channel || !e.providerId || !e.threadKey) {
    throw new StoreError(
      'store_bad_inbound',
      `An inbound event needs a channel, a providerId and a threadKey (got ${JSON.stringify([e.channel, e.providerId, e.threadKey])}).`,
    );
  }
  if (!Number.isFinite(e.receivedAt)) {
    throw new StoreError('store_bad_inbound', `Inbound event ${e.channel}/${e.providerId} has no valid receivedAt.`);
  }
}

const dedupeKey = (channel: string, providerId: string) => `${channel}\u0000${providerId}`;

/** The lease owner written on events reserved for `owner`: a lease to everyone else, free to `owner`. */
export const reservedFor = (owner: string) => `reserved:${owner}`;

export async function insertInbound(
  ctx: Ctx,
  events: NewInbound[],
  reserve?: Reservation,
): Promise<Array<{ eventId: string; duplicate: boolean }>> {
  if (events.length === 0) return [];
  for (const e of events) check(e);
  const rows = events.map((e) => ({
    id: newId(),
    channel: e.channel,
    provider_id: e.providerId,
    thread_key: e.threadKey,
    envelope: envelopeToJson(e.envelope),
    received_at: e.receivedAt,
    lease_owner: reserve ? reservedFor(reserve.owner) : null,
    lease_until: reserve ? reserve.until : null,
  }));
  return ctx.db.transaction().execute(async (trx) => {
    const inserted = new Set<string>();
    for (let i = 0; i < rows.length; i += INSERT_CHUNK) {
      const returned = await trx
        .insertInto('inbound_events')
        .values(rows.slice(i, i + INSERT_CHUNK))
        .onConflict((oc) => oc.columns(['channel', 'provider_id']).doNothing())
        .returning('id')
        .execute();
      for (const r of returned) inserted.add(r.id);
    }
    // A duplicate points at the stored event: earlier in this batch, or from an earlier batch.
    const known = new Map<string, string>();
    const results: Array<{ eventId: string; duplicate: boolean }> = [];
    for (const row of rows) {
      const key = dedupeKey(row.channel, row.provider_id);
      if (inserted.has(row.id)) {
        known.set(key, row.id);
        results.push({ eventId: row.id, duplicate: false });
        continue;
      }
      let eventId = known.get(key);
      if (eventId === undefined) {
        eventId = await existingId(trx, row.channel, row.provider_id);
        known.set(key, eventId);
      }
      results.push({ eventId, duplicate: true });
    }
    return results;
  });
}

async function existingId(db: Kysely<Database>, channel: string, providerId: string): Promise<string> {
  const row = await db
    .selectFrom('inbound_events')
    .select('id')
    .where('channel', '=', channel)
    .where('provider_id', '=', providerId)
    .executeTakeFirstOrThrow();
  return row.id;
}

/**
 * Leases free pending events, oldest first. An event is held back while an
 * earlier pending event of its thread is leased (live) by another owner or
 * waits for a retry, so each thread is routed in order; the same owner may
 * hold several events of one thread.
 */
export async function claimInbound(ctx: Ctx, lease: Lease): Promise<InboundEvent[]> {
  const limit = checkLease(lease);
  const { owner, now, leaseMs } = lease;
  const reserved = reservedFor(owner);
  const mine = [owner, reserved];
  const claim = (db: Kysely<Database>) =>
    db
      .updateTable('inbound_events')
      .set({ lease_owner: owner, lease_until: now + leaseMs })
      .where('id', 'in', (eb) =>
        eb
          .selectFrom('inbound_events as e')
          .select('e.id')
          .where('e.status', '=', PENDING)
          .where((w) =>
            w.or([w('e.lease_until', 'is', null), w('e.lease_until', '<=', now), w('e.lease_owner', '=', reserved)]),
          )
          .where((w) =>
            w.not(
              w.exists(
                w
                  .selectFrom('inbound_events as p')
                  .select(sql.lit(1).as('one'))
                  .whereRef('p.channel', '=', 'e.channel')
                  .whereRef('p.thread_key', '=', 'e.thread_key')
                  .where('p.status', '=', PENDING)
                  .where((x) => x(x.refTuple('p.received_at', 'p.id'), '<', x.refTuple('e.received_at', 'e.id')))
                  .where('p.lease_until', '>', now)
                  .where((x) => x.or([x('p.lease_owner', 'is', null), x('p.lease_owner', 'not in', mine)])),
              ),
            ),
          )
          .orderBy('e.received_at')
          .orderBy('e.id')
          .limit(limit)
          .$if(ctx.kind === 'postgres', (q) => q.forUpdate().skipLocked()),
      )
      .returningAll()
      .execute();

  // On PostgreSQL, claimers run one at a time: with SKIP LOCKED alone, one
  // could take a thread's second event while another is still taking its first.
  const rows =
    ctx.kind === 'postgres'
      ? await ctx.db.transaction().execute(async (trx) => {
          await CLAIM_LOCK.execute(trx);
          return claim(trx);
        })
      : await claim(ctx.db);
  return rows
    .sort((a, b) => a.received_at - b.received_at || (a.id < b.id ? -1 : a.id > b.id ? 1 : 0))
    .map(inboundFromRow);
}

export async function inboundTurn(
  ctx: Ctx,
  event: Pick<InboundEvent, 'id' | 'channel' | 'threadKey' | 'receivedAt'>,
  owner: string,
  now: number,
): Promise<InboundTurn> {
  const state = await hot.inboundTurnState.first(ctx, { id: event.id });
  if (state?.status !== 'pending') return 'skip';
  if (state.earlier) return 'wait';
  const free = state.lease_until === null || state.lease_until <= now;
  return free || state.lease_owner === owner || state.lease_owner === reservedFor(owner) ? 'route' : 'skip';
}

export async function failInbound(
  ctx: Ctx,
  eventId: string,
  error: string,
  retryAt: number,
  final: boolean,
): Promise<void> {
  await ctx.db
    .updateTable('inbound_events')
    .set((eb) => ({
      attempts: eb('attempts', '+', 1),
      error,
      lease_owner: null,
      // Without an owner, a future lease_until holds the event (and its thread) until the retry.
      lease_until: final ? null : retryAt,
      ...(final ? { status: FAILED } : {}),
    }))
    .where('id', '=', eventId)
    .where('status', '=', PENDING)
    .execute();
}

export async function countInbound(ctx: Ctx, status: InboundStatus): Promise<number> {
  const row = await ctx.db
    .selectFrom('inbound_events')
    .select((eb) => eb.fn.countAll().as('n'))
    .where('status', '=', status)
    .executeTakeFirst();
  return count(row?.n as number | undefined);
}
