import type { Fact } from '../facts/derive.ts';
import type { Conversation, DeliveryStatus, Message } from '../model/types.ts';
import type { ConversationPatch } from './contract.ts';
import { conversationData, emit, wanted } from './out-events.ts';
import type { Ctx } from './query-helpers.ts';
import { conversationFromRow, messageFromRow } from './rows.ts';

/**
 * The webhook events of conversation changes, told apart by comparing the row
 * before and after the change: only a new assignee is an assignment, only a
 * move into `resolved` a resolution. Nothing is read when no one subscribes.
 */
export async function before(ctx: Ctx, id: string, patch: ConversationPatch): Promise<Conversation | null> {
  const assigning = patch.assignee != null && wanted(ctx, 'conversation.assigned');
  const resolving = patch.status === 'resolved' && wanted(ctx, 'conversation.resolved');
  if (!assigning && !resolving) return null;
  return load(ctx, id);
}

export async function after(ctx: Ctx, was: Conversation): Promise<void> {
  const now = await load(ctx, was.id);
  if (!now) return;
  if (now.assignee !== null && now.assignee !== was.assignee) {
    await emit(ctx, 'conversation.assigned', now.id, {
      conversation: conversationData(now),
      assignee: now.assignee,
      previousAssignee: was.assignee,
    });
  }
  if (now.status === 'resolved' && was.status !== 'resolved') {
    await emit(ctx, 'conversation.resolved', now.id, { conversation: conversationData(now) });
  }
}

export async function csat(ctx: Ctx, conversationId: string, more: Partial<Fact>): Promise<void> {
  await emit(ctx, 'csat.received', conversationId, {
    conversationId,
    score: more.score ?? null,
    comment: more.comment ?? null,
    flow: more.flow ?? null,
  });
}

/** The delivery status a provider's message has now, to tell a change from a repeat. */
export async function deliveryStatus(ctx: Ctx, channel: string, providerId: string): Promise<DeliveryStatus | null> {
  const row = await ctx.db
    .selectFrom('messages')
    .select('status')
    .where('channel', '=', channel)
    .where('provider_id', '=', providerId)
    .orderBy('created_at', 'desc')
    .orderBy('id', 'desc')
    .limit(1)
    .executeTakeFirst();
  return (row?.status as DeliveryStatus | undefined) ?? null;
}

export async function delivery(ctx: Ctx, message: Message): Promise<void> {
  await emit(ctx, 'message.delivery', message.conversationId, {
    message: {
      id: message.id,
      conversationId: message.conversationId,
      status: message.status,
      error: message.error ?? null,
    },
  });
}

/** After the outbox recorded a send: the message is `sent` (or further, when a receipt came first). */
export async function sent(ctx: Ctx, messageId: string): Promise<void> {
  if (!wanted(ctx, 'message.delivery')) return;
  const row = await ctx.db.selectFrom('messages').selectAll().where('id', '=', messageId).executeTakeFirst();
  if (row) await delivery(ctx, messageFromRow(row));
}

async function load(ctx: Ctx, id: string): Promise<Conversation | null> {
  const row = await ctx.db.selectFrom('conversations').selectAll().where('id', '=', id).executeTakeFirst();
  return row ? conversationFromRow(row) : null;
}
