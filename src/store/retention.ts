import { type ExpressionBuilder, type Kysely, sql } from 'kysely';
import { blobKeysOf, blobReferences, queueBlobsOf } from './blob-sweeps.ts';
import { staleKpiDaysOfStaff } from './kpi-days.ts';
import { type Ctx, count, DONE } from './query-helpers.ts';
import type { Database } from './schema.ts';

/** What a retention limit applies to (config/retention.yaml). */
export type RetentionKind = 'rawPayloads' | 'messages' | 'resolvedConversations';

/** One channel, or every channel but those with limits of their own. */
export type ChannelScope = { channel: string } | { except: string[] };

/** One batch: rows removed (or, for conversations, emptied), in one short transaction. */
export interface PruneResult {
  rows: number;
  /** Conversations emptied to anonymous shells (resolvedConversations only). */
  conversations: number;
}

type Tables = 'inbound_events' | 'unreadable_inbound' | 'messages' | 'conversations';
type Eb<T extends Tables> = ExpressionBuilder<Database, T>;

function inScope<T extends Tables>(eb: Eb<T>, scope: ChannelScope) {
  const channel = eb.ref('channel' as never) as never;
  if ('channel' in scope) return eb(channel, '=', scope.channel as never);
  return scope.except.length > 0 ? eb(channel, 'not in', scope.except as never) : eb.lit(true);
}

/** Only events already routed: a pending event has not been answered yet, and a failed one waits for an operator. */
const expiredEvents = (db: Kysely<Database>, scope: ChannelScope, cutoff: number) =>
  db
    .selectFrom('inbound_events')
    .where(sql<boolean>`status = ${DONE}`)
    .where('received_at', '<', cutoff)
    .where((eb) => inScope(eb, scope));

const expiredUnreadable = (db: Kysely<Database>, scope: ChannelScope, cutoff: number) =>
  db
    .selectFrom('unreadable_inbound')
    .where('received_at', '<', cutoff)
    .where((eb) => inScope(eb, scope));

/** Messages still queued or held as dead letters stay: deleting them would drop a message. */
const expiredMessages = (db: Kysely<Database>, scope: ChannelScope, cutoff: number) =>
  db
    .selectFrom('messages')
    .where('created_at', '<', cutoff)
    .where((eb) => inScope(eb, scope))
    .where(({ not, exists, selectFrom }) =>
      not(
        exists(
          selectFrom('outbox')
            .select('outbox.id')
            .whereRef('outbox.message_id', '=', 'messages.id')
            .where(sql<boolean>`outbox.status in ('pending', 'dead')`),
        ),
      ),
    );

/**
 * Resolved or closed, untouched since `cutoff`, not emptied before (expired or
 * erased), with nothing left to send and no timer left to fire.
 */
const expiredConversations = (db: Kysely<Database>, scope: ChannelScope, cutoff: number) =>
  db
    .selectFrom('conversations')
    .where('status', 'in', ['resolved', 'closed'])
    .where('updated_at', '<', cutoff)
    .where((eb) => inScope(eb, scope))
    .where('thread_key', 'not like', 'expired:%')
    .where('thread_key', 'not like', 'erased:%')
    .where(({ not, exists, selectFrom }) =>
      not(
        exists(
          selectFrom('outbox')
            .select('outbox.id')
            .whereRef('outbox.conversation_id', '=', 'conversations.id')
            .where(sql<boolean>`outbox.status in ('pending', 'dead')`),
        ),
      ),
    )
    .where(({ not, exists, selectFrom }) =>
      not(
        exists(
          selectFrom('timers')
            .select('timers.id')
            .whereRef('timers.conversation_id', '=', 'conversations.id')
            .where(sql<boolean>`timers.status = 'pending'`),
        ),
      ),
    );

const total = async (q: Promise<{ n: unknown } | undefined>): Promise<number> => Number((await q)?.n ?? 0);

/** What a run would remove now: rows (raw payloads, messages) or conversations. */
export async function countExpired(
  ctx: Ctx,
  kind: RetentionKind,
  scope: ChannelScope,
  cutoff: number,
): Promise<number> {
  const { db } = ctx;
  if (kind === 'rawPayloads') {
    const events = await total(
      expiredEvents(db, scope, cutoff)
        .select((eb) => eb.fn.countAll().as('n'))
        .executeTakeFirst(),
    );
    const unreadable = await total(
      expiredUnreadable(db, scope, cutoff)
        .select((eb) => eb.fn.countAll().as('n'))
        .executeTakeFirst(),
    );
    return events + unreadable;
  }
  if (kind === 'messages')
    return total(
      expiredMessages(db, scope, cutoff)
        .select((eb) => eb.fn.countAll().as('n'))
        .executeTakeFirst(),
    );
  return total(
    expiredConversations(db, scope, cutoff)
      .select((eb) => eb.fn.countAll().as('n'))
      .executeTakeFirst(),
  );
}

/**
 * Attachment blobs a run would delete now: those named only by messages this
 * limit removes (a file another message holds too stays, and is not counted).
 */
export async function countExpiredBlobs(
  ctx: Ctx,
  kind: RetentionKind,
  scope: ChannelScope,
  cutoff: number,
): Promise<number> {
  const { db } = ctx;
  if (kind === 'rawPayloads') return 0;
  const rows =
    kind === 'messages'
      ? await expiredMessages(db, scope, cutoff).select('attachments').where('attachments', '<>', '[]').execute()
      : await db
          .selectFrom('messages')
          .select('attachments')
          .where('attachments', '<>', '[]')
          .where('conversation_id', 'in', expiredConversations(db, scope, cutoff).select('id'))
          .execute();
  const named = new Map<string, number>();
  for (const r of rows) for (const key of new Set(blobKeysOf(r.attachments))) named.set(key, (named.get(key) ?? 0) + 1);
  let blobs = 0;
  for (const [key, expiring] of named) if ((await blobReferences(db, key)) <= expiring) blobs++;
  return blobs;
}

/** Removes at most `limit` expired rows (conversations: about `limit` rows' worth) in one transaction; zero rows when none are left. */
export function pruneExpired(
  ctx: Ctx,
  kind: RetentionKind,
  scope: ChannelScope,
  cutoff: number,
  limit: number,
): Promise<PruneResult> {
  return ctx.db.transaction().execute(async (db) => {
    if (kind === 'rawPayloads') return { rows: await pruneRaw(db, scope, cutoff, limit), conversations: 0 };
    if (kind === 'messages') return { rows: await pruneMessages(db, scope, cutoff, limit), conversations: 0 };
    return pruneConversations(db, scope, cutoff, limit);
  });
}

const deleted = (r: { numDeletedRows?: bigint }) => count(r.numDeletedRows);

/**
 * The attachments of messages about to be deleted: their blobs queued for the
 * sweep after the commit (kept when another message holds the same bytes),
 * their pending fetches dropped. `queuedAt` only orders the queue.
 */
async function forgetFiles(db: Kysely<Database>, by: 'id' | 'conversation_id', ids: string[], queuedAt: number) {
  await queueBlobsOf(db, by, ids, queuedAt);
  await db
    .deleteFrom('media_fetches')
    .where(by === 'id' ? 'message_id' : 'conversation_id', 'in', ids)
    .execute();
}

async function pruneRaw(db: Kysely<Database>, scope: ChannelScope, cutoff: number, limit: number): Promise<number> {
  const events = await expiredEvents(db, scope, cutoff).select('id').limit(limit).execute();
  if (events.length > 0) {
    const ids = events.map((e) => e.id);
    return deleted(await db.deleteFrom('inbound_events').where('id', 'in', ids).executeTakeFirst());
  }
  const kept = await expiredUnreadable(db, scope, cutoff).select('id').limit(limit).execute();
  if (kept.length === 0) return 0;
  const ids = kept.map((e) => e.id);
  return deleted(await db.deleteFrom('unreadable_inbound').where('id', 'in', ids).executeTakeFirst());
}

async function pruneMessages(
  db: Kysely<Database>,
  scope: ChannelScope,
  cutoff: number,
  limit: number,
): Promise<number> {
  const rows = await expiredMessages(db, scope, cutoff).select('id').limit(limit).execute();
  if (rows.length === 0) return 0;
  const ids = rows.map((r) => r.id);
  // Only sent rows can be left for these messages (the query skipped queued and dead ones).
  await db.deleteFrom('outbox').where('message_id', 'in', ids).execute();
  await forgetFiles(db, 'id', ids, cutoff);
  return deleted(await db.deleteFrom('messages').where('id', 'in', ids).executeTakeFirst());
}

/**
 * Empties conversations the way an erasure does (src/store/privacy-tx-ops.ts):
 * their messages, raw events and finished timers go, the row stays as an
 * anonymous shell with its facts (CSAT comments cleared), so every count the
 * metrics read is unchanged.
 */
async function pruneConversations(
  db: Kysely<Database>,
  scope: ChannelScope,
  cutoff: number,
  limit: number,
): Promise<PruneResult> {
  const picked = await expiredConversations(db, scope, cutoff)
    .select('id')
    .orderBy('id')
    .limit(Math.max(1, Math.floor(limit / 25)))
    .execute();
  if (picked.length === 0) return { rows: 0, conversations: 0 };
  const pickedIds = picked.map((c) => c.id);
  // A long conversation is emptied over several batches, `limit` messages at a time, then shelled.
  const messages = await db
    .selectFrom('messages')
    .select('id')
    .where('conversation_id', 'in', pickedIds)
    .limit(limit)
    .execute();
  if (messages.length > 0) {
    const ids = messages.map((m) => m.id);
    await db.deleteFrom('outbox').where('message_id', 'in', ids).execute();
    await forgetFiles(db, 'id', ids, cutoff);
    return {
      rows: deleted(await db.deleteFrom('messages').where('id', 'in', ids).executeTakeFirst()),
      conversations: 0,
    };
  }
  await staleKpiDaysOfStaff(db, pickedIds);
  // Shelled first, and only if still expired: on PostgreSQL that row lock orders us against a router reopening one.
  const shelled = await db
    .updateTable('conversations')
    .set(() => ({
      thread_key: sql<string>`'expired:' || id`,
      flow_state: null,
      reply_ref: null,
      tags: '[]',
      // `updated_at` stays: the shell keeps when it was last worked on.
    }))
    .where('id', 'in', pickedIds)
    .where('status', 'in', ['resolved', 'closed'])
    .where('updated_at', '<', cutoff)
    .returning('id')
    .execute();
  const ids = shelled.map((c) => c.id);
  if (ids.length === 0) return { rows: 0, conversations: 0 };
  // Messages a router wrote since the batches above emptied them go too.
  await db.deleteFrom('outbox').where('conversation_id', 'in', ids).where(sql<boolean>`status = 'sent'`).execute();
  await forgetFiles(db, 'conversation_id', ids, cutoff);
  let rows = deleted(await db.deleteFrom('messages').where('conversation_id', 'in', ids).executeTakeFirst());
  rows += deleted(
    await db
      .deleteFrom('timers')
      .where('conversation_id', 'in', ids)
      .where(sql<boolean>`status <> 'pending'`)
      .executeTakeFirst(),
  );
  rows += deleted(
    await db
      .deleteFrom('inbound_events')
      .where('conversation_id', 'in', ids)
      .where(sql<boolean>`status <> 'pending'`)
      .executeTakeFirst(),
  );
  await db.updateTable('facts').set({ comment: null }).where('conversation_id', 'in', ids).execute();
  return { rows, conversations: ids.length };
}

/**
 * SQLite: gives up to `pages` free pages back to the file system (the file
 * shrinks at the next checkpoint); returns the free pages left (0 pages: only counts). A no-op on
 * PostgreSQL, whose autovacuum reuses the space, and on SQLite files that are
 * not in incremental auto-vacuum mode.
 */
export async function reclaimSpace(ctx: Ctx, pages: number): Promise<number> {
  if (ctx.kind !== 'sqlite' || !ctx.statements) return 0;
  const mode = await sql<{ auto_vacuum: number }>`pragma auto_vacuum`.execute(ctx.db);
  if (Number(mode.rows[0]?.auto_vacuum) !== INCREMENTAL) return 0;
  // Through the statement cache: Kysely would step a row-less pragma once, which frees a single page.
  if (pages >= 1) ctx.statements.prepare(`pragma incremental_vacuum(${Math.floor(pages)})`).all([]);
  const left = await sql<{ freelist_count: number }>`pragma freelist_count`.execute(ctx.db);
  return Number(left.rows[0]?.freelist_count ?? 0);
}

/** `pragma auto_vacuum` value of incremental mode. */
export const INCREMENTAL = 2;
