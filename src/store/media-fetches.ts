import { type Selectable, sql } from 'kysely';
import { newId } from '../ids.ts';
import type { Attachment, Message } from '../model/types.ts';
import { putBackUntil } from './claim.ts';
import type { Lease, MediaFetch } from './contract.ts';
import { type Ctx, checkLease, DONE, PENDING } from './query-helpers.ts';
import { fromJson, toJson } from './rows.ts';
import type { MediaFetchesTable } from './schema.ts';

/** An inbound attachment still to be fetched: the provider gave a link, nothing is kept yet. */
const toFetch = (a: Attachment) => a.url !== undefined && a.blobKey === undefined && a.error === undefined;

/** Queues a fetch for each of an inbound message's attachments, in the caller's transaction. */
export async function queueFetches(ctx: Ctx, message: Message, now: number): Promise<void> {
  if (!message.attachments.some(toFetch)) return;
  const conversation = await ctx.db
    .selectFrom('conversations')
    .select('channel')
    .where('id', '=', message.conversationId)
    .executeTakeFirstOrThrow();
  const channel = conversation.channel;
  const rows = message.attachments.flatMap((a, i) =>
    toFetch(a)
      ? [
          {
            id: newId(),
            message_id: message.id,
            conversation_id: message.conversationId,
            channel,
            attachment_index: i,
            due_at: now,
            created_at: now,
          },
        ]
      : [],
  );
  if (rows.length > 0) await ctx.db.insertInto('media_fetches').values(rows).execute();
}

const fromRow = (r: Selectable<MediaFetchesTable>, attachment: Attachment | null): MediaFetch => ({
  attachment,
  id: r.id,
  messageId: r.message_id,
  conversationId: r.conversation_id,
  channel: r.channel,
  index: r.attachment_index,
  attempts: r.attempts,
  dueAt: Number(r.due_at),
});

/** Leases due pending fetches whose lease is free or expired, earliest first. */
export async function claimFetches(ctx: Ctx, lease: Lease): Promise<MediaFetch[]> {
  const limit = checkLease(lease);
  const { owner, now, leaseMs } = lease;
  const rows = await ctx.db
    .updateTable('media_fetches')
    .set({ lease_owner: owner, lease_until: now + leaseMs })
    .where('id', 'in', (eb) =>
      eb
        .selectFrom('media_fetches')
        .select('id')
        .where('status', '=', PENDING)
        .where('due_at', '<=', now)
        .where((w) => w.or([w('lease_until', 'is', null), w('lease_until', '<=', now)]))
        .orderBy('due_at')
        .orderBy('id')
        .limit(limit)
        .$if(ctx.kind === 'postgres', (q) => q.forUpdate().skipLocked()),
    )
    .returningAll()
    .execute();
  if (rows.length === 0) return [];
  const messages = await ctx.db
    .selectFrom('messages')
    .select(['id', 'attachments'])
    .where(
      'id',
      'in',
      rows.map((r) => r.message_id),
    )
    .execute();
  const attachments = new Map(messages.map((m) => [m.id, fromJson<Attachment[]>(m.attachments)]));
  return rows
    .map((r) => fromRow(r, attachments.get(r.message_id)?.[r.attachment_index] ?? null))
    .sort((a, b) => a.dueAt - b.dueAt);
}

/**
 * Records a fetch's outcome on its message's attachment (kept: hash, key and
 * size; given up: the error) and completes it, in one transaction, only while
 * `owner` still holds the lease. False when the lease was lost (another
 * worker has it now) or the message is gone (erased meanwhile).
 */
export async function finishFetch(
  ctx: Ctx,
  fetch: MediaFetch,
  owner: string,
  patch: Partial<Attachment>,
  now: number,
): Promise<boolean> {
  const done = await ctx.db
    .updateTable('media_fetches')
    .set({ status: DONE, completed_at: now, lease_owner: null, lease_until: null, last_error: patch.error ?? null })
    .where('id', '=', fetch.id)
    .where('lease_owner', '=', owner)
    .where('status', '=', PENDING)
    .executeTakeFirst();
  if (Number(done.numUpdatedRows) !== 1) return false;
  const row = await ctx.db
    .selectFrom('messages')
    .select('attachments')
    .where('id', '=', fetch.messageId)
    .executeTakeFirst();
  if (!row) return false;
  const attachments = fromJson<Attachment[]>(row.attachments);
  const current = attachments[fetch.index];
  if (!current) return false;
  attachments[fetch.index] = { ...current, ...patch };
  await ctx.db
    .updateTable('messages')
    .set({ attachments: toJson(attachments) })
    .where('id', '=', fetch.messageId)
    .execute();
  return true;
}

/** Puts a failed fetch back, due again at `dueAt`. */
export function retryFetch(ctx: Ctx, id: string, owner: string, dueAt: number, error: string): Promise<void> {
  return putBackUntil(ctx, 'media_fetches', id, { dueAt, error, owner });
}

/** When the next pending fetch falls due, or the lease holding one back runs out. */
export async function nextFetchAt(ctx: Ctx): Promise<number | null> {
  const row = await ctx.db
    .selectFrom('media_fetches')
    .select((s) => s.fn.min(sql<number>`case when lease_until > due_at then lease_until else due_at end`).as('t'))
    .where('status', '=', PENDING)
    .executeTakeFirst();
  return row?.t == null ? null : Number(row.t);
}

/** Pending fetches, for /metrics and tests. */
export async function pendingFetches(ctx: Ctx): Promise<number> {
  const row = await ctx.db
    .selectFrom('media_fetches')
    .select((s) => s.fn.countAll().as('n'))
    .where('status', '=', PENDING)
    .executeTakeFirst();
  return Number(row?.n ?? 0);
}
