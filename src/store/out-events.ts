import { newId } from '../ids.ts';
import type { OutEventType } from '../model/out-events.ts';
import type { Contact, Conversation, Message } from '../model/types.ts';
import type { Ctx } from './query-helpers.ts';

/**
 * Webhook events are written where the change is written, in its
 * transaction, like the facts: every path (routing, agents, timers, the API)
 * passes the store, so none can forget them, and a rolled-back change sends
 * nothing.
 */
export interface OutEventRouting {
  /** The subscriptions that take events of this type (none: nothing is written). */
  subscribers(type: OutEventType): readonly string[];
  now(): number;
}

/** Where the store reads the subscriptions in force; the app sets `routing` (and again on a reload). */
export class OutEvents {
  routing: OutEventRouting | null = null;
}

/** True when some subscription takes `type`: lets a caller skip reading what only the event needs. */
export function wanted(ctx: Ctx, type: OutEventType): boolean {
  return (ctx.out?.routing?.subscribers(type).length ?? 0) > 0;
}

/**
 * Writes one delivery row per subscription taking `type`. `orderKey` groups
 * the events a subscriber receives in order (the conversation's id).
 */
export async function emit(
  ctx: Ctx,
  type: OutEventType,
  orderKey: string,
  data: Record<string, unknown>,
): Promise<void> {
  const routing = ctx.out?.routing;
  const subs = routing?.subscribers(type) ?? [];
  if (!routing || subs.length === 0) return;
  const now = routing.now();
  const eventId = newId();
  const body = JSON.stringify({ id: eventId, type, createdAt: new Date(now).toISOString(), data });
  await ctx.db
    .insertInto('webhook_deliveries')
    .values(
      subs.map((subscription) => ({
        id: newId(),
        subscription,
        event_id: eventId,
        event_type: type,
        order_key: orderKey,
        body,
        due_at: now,
        last_error: null,
        lease_owner: null,
        lease_until: null,
        created_at: now,
        sent_at: null,
        failed_at: null,
      })),
    )
    .execute();
}

const iso = (t: number | null) => (t === null ? null : new Date(t).toISOString());

/** What a subscriber is told of a conversation: enough to find it, never the flow's private state. */
export function conversationData(c: Conversation): Record<string, unknown> {
  return {
    id: c.id,
    contactId: c.contactId,
    channel: c.touchpoint.channel,
    touchpoint: c.touchpoint.kind,
    visibility: c.touchpoint.visibility,
    status: c.status,
    category: c.category,
    intent: c.intent,
    priority: c.priority,
    assignee: c.assignee,
    tags: c.tags,
    createdAt: iso(c.createdAt),
    updatedAt: iso(c.updatedAt),
  };
}

export function messageData(m: Message): Record<string, unknown> {
  return {
    id: m.id,
    conversationId: m.conversationId,
    direction: m.direction,
    author: { kind: m.author.kind, id: m.author.id ?? null, name: m.author.name ?? null },
    text: m.text,
    attachments: m.attachments.length,
    visibility: m.visibility,
    status: m.status,
    createdAt: iso(m.createdAt),
  };
}

/** A contact's changed fields, by name, with their new values. */
export function contactData(id: string, patch: Partial<Contact>): Record<string, unknown> {
  return { id, changed: patch };
}
