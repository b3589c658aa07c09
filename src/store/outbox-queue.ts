import { sql } from 'kysely';
import { type Ctx, count } from './query-helpers.ts';

/**
 * What waits in the outbox behind a sender's pace: per lane (channel and
 * sending key, e.g. an SMS number), and where one conversation's next reply
 * stands in its lane, so the desk and the CLI can say how long replies wait.
 */
export interface OutboxQueues {
  /** Lanes with replies waiting, longest first. */
  outboxLanes(limit: number): Promise<OutboxLane[]>;
  /** The conversation's latest waiting reply (when the customer has everything) and the replies ahead of it, or null. */
  queuedReply(conversationId: string): Promise<QueuedPosition | null>;
}

export interface OutboxLane {
  channel: string;
  destination: string;
  waiting: number;
  oldestDueAt: number;
}

export interface QueuedPosition {
  messageId: string;
  channel: string;
  destination: string;
  dueAt: number;
  /** Replies due before it in its lane, and in its whole channel (a channel-wide pace). */
  aheadInLane: number;
  aheadInChannel: number;
}

export async function outboxLanes(ctx: Ctx, limit: number): Promise<OutboxLane[]> {
  const rows = await ctx.db
    .selectFrom('outbox')
    .select(['channel', 'destination'])
    .select((eb) => [eb.fn.countAll().as('waiting'), eb.fn.min('due_at').as('oldest')])
    .where('status', '=', 'pending')
    .groupBy(['channel', 'destination'])
    .orderBy(sql`count(*)`, 'desc')
    .limit(limit)
    .execute();
  return rows.map((r) => ({
    channel: r.channel,
    destination: r.destination,
    waiting: count(r.waiting as number),
    oldestDueAt: Number(r.oldest),
  }));
}

export async function queuedReply(ctx: Ctx, conversationId: string): Promise<QueuedPosition | null> {
  const first = await ctx.db
    .selectFrom('outbox')
    .select(['id', 'message_id', 'channel', 'destination', 'due_at'])
    .where('conversation_id', '=', conversationId)
    .where('status', '=', 'pending')
    .orderBy('due_at', 'desc')
    .orderBy('id', 'desc')
    .limit(1)
    .executeTakeFirst();
  if (!first) return null;
  const dueAt = Number(first.due_at);
  const ahead = await ctx.db
    .selectFrom('outbox')
    .select((eb) => [
      eb.fn.countAll().as('channel'),
      eb.fn.sum(sql<number>`case when destination = ${first.destination} then 1 else 0 end`).as('lane'),
    ])
    .where('status', '=', 'pending')
    .where('channel', '=', first.channel)
    .where((w) => w.or([w('due_at', '<', dueAt), w.and([w('due_at', '=', dueAt), w('id', '<', first.id)])]))
    .executeTakeFirst();
  return {
    messageId: first.message_id,
    channel: first.channel,
    destination: first.destination,
    dueAt,
    aheadInLane: count(ahead?.lane as number | undefined),
    aheadInChannel: count(ahead?.channel as number | undefined),
  };
}
