import type { Kysely } from 'kysely';
import type { Conversation, DeliveryStatus, Message } from '../model/types.ts';
import type { ConversationQuery } from './contract.ts';
import { type Ctx, clampLimit } from './query-helpers.ts';
import { conversationFromRow, fromJson, messageFromRow, toJson } from './rows.ts';
import type { Database } from './schema.ts';

/** Delivery reports arrive out of order (`read` before `delivered`): a status never moves back. */
const PROGRESS: Record<DeliveryStatus, number> = {
  received: 0,
  queued: 1,
  sending: 2,
  sent: 3,
  delivered: 4,
  read: 5,
  failed: 6,
};

export async function updateDelivery(
  ctx: Ctx,
  channel: string,
  providerId: string,
  status: DeliveryStatus,
  error: string | null,
): Promise<Message | null> {
  const row = await ctx.db
    .selectFrom('messages')
    .selectAll()
    .where('channel', '=', channel)
    .where('provider_id', '=', providerId)
    .orderBy('created_at', 'desc')
    .orderBy('id', 'desc')
    .limit(1)
    .executeTakeFirst();
  if (!row) return null;
  const current = PROGRESS[row.status as DeliveryStatus] ?? 0;
  // A late `failed` still wins: the provider gave up after reporting progress.
  if (PROGRESS[status] <= current && status !== 'failed') return messageFromRow(row);
  await ctx.db.updateTable('messages').set({ status, error }).where('id', '=', row.id).execute();
  return messageFromRow({ ...row, status, error });
}

export async function listConversations(ctx: Ctx, query: ConversationQuery): Promise<Conversation[]> {
  if (query.status?.length === 0) return [];
  const rows = await ctx.db
    .selectFrom('conversations')
    .selectAll()
    .$if(query.status !== undefined, (q) => q.where('status', 'in', query.status ?? []))
    .$if(query.channel !== undefined, (q) => q.where('channel', '=', query.channel as string))
    .$if(query.before !== undefined, (q) => q.where('updated_at', '<', query.before as number))
    .orderBy('updated_at', 'desc')
    .orderBy('id', 'desc')
    .limit(clampLimit(query.limit, 50))
    .execute();
  return rows.map(conversationFromRow);
}

interface Page {
  afterId?: string | null;
  limit?: number;
}

/**
 * Where a page starts: strictly after the given message in (created_at, id)
 * order. An unknown id starts from the beginning, so a client holding an id
 * from an older conversation on the thread gets the whole new one.
 */
async function cursor(db: Kysely<Database>, afterId: string | null | undefined) {
  if (!afterId) return null;
  return (
    (await db.selectFrom('messages').select(['created_at', 'id']).where('id', '=', afterId).executeTakeFirst()) ?? null
  );
}

async function page(
  ctx: Ctx,
  conversation: { id: string } | { channel: string; threadKey: string },
  opts: Page,
  includeInternal: boolean,
): Promise<Message[]> {
  const limit = clampLimit(opts.limit, 100);
  const after = await cursor(ctx.db, opts.afterId);
  let query = ctx.db
    .selectFrom('messages')
    .selectAll()
    .where('conversation_id', '=', (eb) =>
      'id' in conversation
        ? eb.val(conversation.id)
        : eb
            .selectFrom('conversations')
            .select('id')
            .where('channel', '=', conversation.channel)
            .where('thread_key', '=', conversation.threadKey)
            .orderBy('updated_at', 'desc')
            .orderBy('id', 'desc')
            .limit(1),
    );
  if (!includeInternal) query = query.where('visibility', '=', 'customer');
  if (after) {
    const { created_at, id } = after;
    query = query.where((eb) => eb(eb.refTuple('created_at', 'id'), '>', eb.tuple(created_at, id)));
  }
  const rows = await query.orderBy('created_at').orderBy('id').limit(limit).execute();
  return rows.map(messageFromRow);
}

export function listMessages(
  ctx: Ctx,
  conversationId: string,
  opts: Page & { includeInternal?: boolean } = {},
): Promise<Message[]> {
  return page(ctx, { id: conversationId }, opts, opts.includeInternal ?? false);
}

/** Customer-visible messages of the most recently updated conversation on the thread. */
export function threadHistory(ctx: Ctx, channel: string, threadKey: string, opts: Page = {}): Promise<Message[]> {
  return page(ctx, { channel, threadKey }, opts, false);
}

export async function getState<T>(ctx: Ctx, scope: string, key: string): Promise<T | null> {
  const row = await ctx.db
    .selectFrom('channel_state')
    .select('value')
    .where('scope', '=', scope)
    .where('key', '=', key)
    .executeTakeFirst();
  return row ? fromJson<T>(row.value) : null;
}

/** Null or undefined removes the entry: reading it back gives null either way. */
export async function setState(ctx: Ctx, scope: string, key: string, value: unknown): Promise<void> {
  if (value == null) {
    await ctx.db.deleteFrom('channel_state').where('scope', '=', scope).where('key', '=', key).execute();
    return;
  }
  await ctx.db
    .insertInto('channel_state')
    .values({ scope, key, value: toJson(value) })
    .onConflict((oc) => oc.columns(['scope', 'key']).doUpdateSet((eb) => ({ value: eb.ref('excluded.value') })))
    .execute();
}

/** Takes the lock when it is free or expired, or renews it for its owner; true when `owner` holds it now. */
export async function acquireLock(ctx: Ctx, name: string, owner: string, now: number, ttlMs: number): Promise<boolean> {
  const row = await ctx.db
    .insertInto('locks')
    .values({ name, owner, expires_at: now + ttlMs })
    .onConflict((oc) =>
      oc
        .column('name')
        .doUpdateSet({ owner, expires_at: now + ttlMs })
        .where((eb) => eb.or([eb('locks.owner', '=', owner), eb('locks.expires_at', '<=', now)])),
    )
    .returning('owner')
    .executeTakeFirst();
  return row?.owner === owner;
}

export async function releaseLock(ctx: Ctx, name: string, owner: string): Promise<void> {
  await ctx.db.deleteFrom('locks').where('name', '=', name).where('owner', '=', owner).execute();
}
