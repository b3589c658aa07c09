import { sql } from 'kysely';
import type { Conversation, DeliveryStatus, Message } from '../model/types.ts';
import { claimDue } from './claim.ts';
import type { DeadLetter, Lease, OutboxJob } from './contract.ts';
import * as conversationEvents from './conversation-events.ts';
import * as hot from './hot-queries.ts';
import { atomic, atomicCtx, type Ctx, clampLimit, count, DEAD, PENDING } from './query-helpers.ts';
import { conversationFromRow, deadLetterFromRow, messageFromRow, outboxFromRow } from './rows.ts';

/** Leases due rows whose lease is free or expired, earliest due first. */
export async function claimOutbox(ctx: Ctx, lease: Lease): Promise<OutboxJob[]> {
  return (await claimDue(ctx, 'outbox', lease)).map(outboxFromRow);
}

export async function loadOutbound(
  ctx: Ctx,
  job: OutboxJob,
  withReferences: boolean,
): Promise<{ message: Message; conversation: Conversation; references: string[] } | null> {
  const messageRow = await ctx.db.selectFrom('messages').selectAll().where('id', '=', job.messageId).executeTakeFirst();
  if (!messageRow) return null;
  const conversationRow = await ctx.db
    .selectFrom('conversations')
    .selectAll()
    .where('id', '=', messageRow.conversation_id)
    .executeTakeFirst();
  if (!conversationRow) return null;
  const message = messageFromRow(messageRow);
  return {
    message,
    conversation: conversationFromRow(conversationRow),
    references: withReferences ? await threadReferences(ctx, message) : [],
  };
}

export async function threadReferences(ctx: Ctx, message: Message): Promise<string[]> {
  const earlier = await ctx.db
    .selectFrom('messages')
    .select('provider_id')
    .where('conversation_id', '=', message.conversationId)
    .where('provider_id', 'is not', null)
    .where('visibility', '=', 'customer')
    .where((eb) => eb(eb.refTuple('created_at', 'id'), '<', eb.tuple(message.createdAt, message.id)))
    .orderBy('created_at')
    .orderBy('id')
    .execute();
  return earlier.map((r) => r.provider_id as string);
}

export interface SentRecord {
  jobId: string;
  providerId: string | null;
  status: DeliveryStatus;
  now: number;
}

/**
 * markSent for several sends in the caller's transaction. On PostgreSQL two statements
 * whatever their number (each a round trip there); SQLite runs each send's own.
 */
export async function markSentMany(ctx: Ctx, sends: SentRecord[]): Promise<void> {
  if (ctx.kind !== 'postgres' || sends.length === 1) {
    for (const s of sends) await markSent(ctx, s.jobId, s.providerId, s.status, s.now);
    return;
  }
  const jobs = await sql<{ id: string; message_id: string; channel: string }>`
    update outbox as o
    set status = 'sent', sent_at = v.now, lease_owner = null, lease_until = null, last_error = null, attempted_at = null
    from unnest(${sends.map((s) => s.jobId)}::text[], ${sends.map((s) => s.now)}::bigint[]) as v(id, now)
    where o.id = v.id
    returning o.id, o.message_id, o.channel`.execute(ctx.db);
  const byJob = new Map(jobs.rows.map((j) => [j.id, j]));
  const messages = sends.flatMap((s) => {
    const job = byJob.get(s.jobId);
    return job ? [{ id: job.message_id, status: s.status, channel: job.channel, providerId: s.providerId }] : [];
  });
  if (messages.length === 0) return;
  const column = <K extends keyof (typeof messages)[number]>(k: K) => messages.map((m) => m[k]);
  await sql`
    update messages as m
    set status = v.status, error = null, provider_id = coalesce(v.provider_id, m.provider_id), channel = v.channel
    from unnest(${column('id')}::text[], ${column('status')}::text[], ${column('providerId')}::text[], ${column('channel')}::text[])
      as v(id, status, provider_id, channel)
    where m.id = v.id`.execute(ctx.db);
  for (const m of messages) await conversationEvents.sent(ctx, m.id);
}

/** Records a send: the job is done and the message carries the provider's id and status. */
export function markSent(
  ctx: Ctx,
  jobId: string,
  providerId: string | null,
  status: DeliveryStatus,
  now: number,
): Promise<void> {
  return atomicCtx(ctx, async (tx) => {
    const job = await hot.markOutboxSent.first(tx, { id: jobId, now });
    if (!job) return;
    // The channel it went out on, which differs from the conversation's when that one replies elsewhere (web form → email):
    // a customer's answer quoting our provider id is looked up on that channel.
    await hot.markMessageSent.run(tx, { id: job.message_id, status, channel: job.channel, providerId });
    await conversationEvents.sent(tx, job.message_id);
  });
}

/** Marks the send of each job as started, keeping the time of an earlier unconfirmed start. */
export async function markAttempted(ctx: Ctx, jobIds: string[], now: number): Promise<void> {
  await ctx.db
    .updateTable('outbox')
    .set((eb) => ({ attempted_at: eb.fn.coalesce('attempted_at', eb.val(now)) }))
    .where('id', 'in', jobIds)
    .where('status', '=', PENDING)
    .execute();
}

export async function rescheduleOutbox(
  ctx: Ctx,
  jobId: string,
  dueAt: number,
  error: string,
  countAttempt: boolean,
  settled: boolean,
): Promise<void> {
  await ctx.db
    .updateTable('outbox')
    .set((eb) => ({
      due_at: dueAt,
      last_error: error,
      lease_owner: null,
      lease_until: null,
      ...(countAttempt ? { attempts: eb('attempts', '+', 1) } : {}),
      ...(settled ? { attempted_at: null } : {}),
    }))
    .where('id', '=', jobId)
    .where('status', '=', PENDING)
    .execute();
}

/** Gives up on a job: it stays for agents to see and retry, and its message is marked failed. */
export function deadLetter(ctx: Ctx, jobId: string, error: string, now: number, settled: boolean): Promise<void> {
  return atomic(ctx.db, async (db) => {
    const job = await db
      .updateTable('outbox')
      .set((eb) => ({
        status: DEAD,
        last_error: error,
        failed_at: now,
        attempts: eb('attempts', '+', 1),
        lease_owner: null,
        lease_until: null,
        ...(settled ? { attempted_at: null } : {}),
      }))
      .where('id', '=', jobId)
      .where('status', '=', PENDING)
      .returning('message_id')
      .executeTakeFirst();
    if (!job) return;
    await db.updateTable('messages').set({ status: 'failed', error }).where('id', '=', job.message_id).execute();
  });
}

export async function listDeadLetters(ctx: Ctx, limit?: number): Promise<DeadLetter[]> {
  const rows = await ctx.db
    .selectFrom('outbox')
    .innerJoin('messages', 'messages.id', 'outbox.message_id')
    .innerJoin('conversations', 'conversations.id', 'outbox.conversation_id')
    .selectAll('outbox')
    .select(['messages.text', 'conversations.contact_id'])
    .where('outbox.status', '=', DEAD)
    .orderBy('outbox.failed_at', 'desc')
    .orderBy('outbox.id', 'desc')
    .limit(clampLimit(limit, 100))
    .execute();
  const contactIds = [...new Set(rows.map((r) => r.contact_id))];
  const identities =
    contactIds.length === 0
      ? []
      : await ctx.db
          .selectFrom('identities')
          .select(['contact_id', 'value'])
          .where('contact_id', 'in', contactIds)
          .orderBy('id')
          .execute();
  const customerOf = new Map<string, string[]>();
  for (const i of identities) customerOf.set(i.contact_id, [...(customerOf.get(i.contact_id) ?? []), i.value]);
  return rows.map((r) => deadLetterFromRow(r, customerOf.get(r.contact_id)?.join(', ') ?? r.destination));
}

/** Back in the queue, due now, with a fresh attempt budget. */
export function retryDeadLetter(ctx: Ctx, jobId: string, now: number): Promise<boolean> {
  return atomic(ctx.db, async (db) => {
    const job = await db
      .updateTable('outbox')
      .set({ status: PENDING, due_at: now, attempts: 0, failed_at: null, lease_owner: null, lease_until: null })
      .where('id', '=', jobId)
      .where('status', '=', DEAD)
      .returning('message_id')
      .executeTakeFirst();
    if (!job) return false;
    await db.updateTable('messages').set({ status: 'queued', error: null }).where('id', '=', job.message_id).execute();
    return true;
  });
}

/**
 * The provider ids of our messages on the conversation's thread: every conversation on it, since a
 * customer's next conversation is written to from the same thread (and the provider lists them together).
 */
export async function sentProviderIds(ctx: Ctx, conversationId: string): Promise<string[]> {
  const rows = await ctx.db
    .selectFrom('messages')
    .innerJoin('conversations', 'conversations.id', 'messages.conversation_id')
    .innerJoin('conversations as same', (j) =>
      j.onRef('same.channel', '=', 'conversations.channel').onRef('same.thread_key', '=', 'conversations.thread_key'),
    )
    .select('messages.provider_id')
    .where('same.id', '=', conversationId)
    .where('messages.provider_id', 'is not', null)
    .where('messages.visibility', '=', 'customer')
    .where('messages.direction', '=', 'outbound')
    .execute();
  return rows.map((r) => r.provider_id as string);
}

export async function countOutbox(ctx: Ctx, status: 'pending' | 'sent' | 'dead'): Promise<number> {
  const row = await ctx.db
    .selectFrom('outbox')
    .select((eb) => eb.fn.countAll().as('n'))
    .where('status', '=', status)
    .executeTakeFirst();
  return count(row?.n as number | undefined);
}
