import type { RouteContext, RouteHook } from '../engine/context.ts';
import { runHooks } from '../engine/context.ts';
import { recordAutoReplies } from '../engine/hooks.ts';
import { newConversation } from '../model/new-conversation.ts';
import type { Contact, Conversation, Envelope, Message } from '../model/types.ts';
import type { PublicSendGuard } from '../policies/public-guard.ts';
import type { Settings } from '../settings/types.ts';
import type { InboundEvent, StoreTx } from '../store/contract.ts';
import { consentHook } from './consent.ts';
import { type DestinationOf, queueReply } from './replies.ts';

export interface Routed {
  conversationId: string | null;
  channel: string;
  threadKey: string;
  /** Customer-visible messages written, for live clients. */
  messages: Message[];
  events: RouteContext['events'];
  queued: number;
  /** A bounce names the provider id of the message that failed. */
  bounceOf: string | null;
  /** The failure report's own words, for the failed message's error. */
  bounceReason?: string;
}

export interface RouteDeps {
  settings: Settings;
  hooks: RouteHook[];
  /** Run after the decision even when a hook silenced it: bookkeeping such as SLA clocks (src/policies/). */
  settle?: RouteHook[];
  destinationOf: DestinationOf;
  /** The configured public-send guard; queueReply's built-in one otherwise. */
  guard?: PublicSendGuard;
}

const live = ['open', 'pending', 'snoozed'] as const;

/** Routes one stored inbound event inside the caller's transaction, which holds its thread's lock. */
export async function routeEvent(tx: StoreTx, event: InboundEvent, now: number, deps: RouteDeps): Promise<Routed> {
  const env = event.envelope;
  const out: Routed = {
    conversationId: null,
    channel: env.channel,
    threadKey: env.threadKey,
    messages: [],
    events: [],
    queued: 0,
    bounceOf: env.flags?.bounce && env.bounceOf ? env.bounceOf : null,
  };
  if (env.flags?.echo) {
    await tx.completeInbound(event.id, now, null);
    return out;
  }
  if (env.flags?.bounce) return recordBounce(tx, event, now, out);

  const contact = await findOrCreateContact(tx, env, now);
  const { conversation, isNew } = await findOrOpenConversation(tx, env, contact, now);
  const message = await tx.insertMessage(
    {
      conversationId: conversation.id,
      direction: 'inbound',
      author: { kind: 'contact', id: contact.id, name: env.from.name ?? contact.name },
      text: env.text,
      attachments: env.attachments ?? [],
      providerId: env.providerId,
      status: 'received',
      visibility: 'customer',
    },
    now,
  );
  out.messages.push(message);

  const ctx: RouteContext = {
    now,
    settings: deps.settings,
    envelope: env,
    contact,
    conversation,
    message,
    isNewConversation: isNew,
    classification: null,
    replies: [],
    patch: {
      lastInboundAt: now,
      ...(env.replyRef ? { replyRef: env.replyRef } : {}),
      ...(conversation.status !== 'open' ? { status: 'open' as const } : {}),
    },
    contactPatch: {},
    timers: [],
    cancelTimers: [],
    silence: null,
    events: [],
  };
  await runHooks([consentHook, ...deps.hooks], ctx);
  recordAutoReplies(ctx);
  for (const hook of deps.settle ?? []) await hook(ctx);

  const updated = { ...conversation, ...ctx.patch } as Conversation;
  await tx.updateConversation(conversation.id, ctx.patch, now);
  if (Object.keys(ctx.contactPatch).length > 0) await tx.updateContact(contact.id, ctx.contactPatch);
  for (const reply of ctx.replies) {
    const m = await queueReply(
      tx,
      {
        conversation: updated,
        contact,
        text: reply.text,
        author: { kind: reply.author, name: deps.settings.business.name },
        ...(reply.subject ? { subject: reply.subject } : {}),
        ...(reply.parts ? { parts: reply.parts } : {}),
      },
      now,
      deps.destinationOf,
      deps.guard,
    );
    out.messages.push(m);
    if (m.status === 'queued') out.queued++;
  }
  for (const key of ctx.cancelTimers) await tx.cancelTimerByKey(key);
  for (const timer of ctx.timers)
    await tx.scheduleTimer({ ...timer, conversationId: timer.conversationId ?? conversation.id }, now);
  await tx.completeInbound(event.id, now, conversation.id);
  out.conversationId = conversation.id;
  out.events = ctx.events;
  return out;
}

async function findOrCreateContact(tx: StoreTx, env: Envelope, now: number): Promise<Contact> {
  const { name, ...identity } = env.from;
  const found = await tx.findContactByIdentity(identity);
  if (found) {
    if (!found.name && name) {
      await tx.updateContact(found.id, { name });
      return { ...found, name };
    }
    return found;
  }
  return tx.createContact({ name: name ?? null }, identity, now);
}

async function findOrOpenConversation(
  tx: StoreTx,
  env: Envelope,
  contact: Contact,
  now: number,
): Promise<{ conversation: Conversation; isNew: boolean }> {
  if (env.inReplyTo && env.inReplyTo.length > 0) {
    const byReply = await tx.findConversationByProviderIds(env.channel, env.inReplyTo);
    if (byReply && byReply.status !== 'closed') return { conversation: byReply, isNew: false };
  }
  // A resolved conversation reopens when the customer writes again on the same thread; a closed one stays closed.
  const byThread = await tx.findConversationByThread(env.channel, env.threadKey, [...live, 'resolved']);
  if (byThread) return { conversation: byThread, isNew: false };
  const conversation = await tx.createConversation(
    newConversation(contact.id, env.touchpoint, env.threadKey, {
      priority: contact.vip ? 'high' : 'normal',
      replyRef: env.replyRef ?? null,
      lastInboundAt: now,
    }),
    now,
  );
  return { conversation, isNew: true };
}

/**
 * A delivery failure report is about one of our messages, not a customer
 * writing: no contact is made for the mailer daemon. The agents see it as a
 * note in the conversation it concerns, and the message is marked failed after commit.
 */
async function recordBounce(tx: StoreTx, event: InboundEvent, now: number, out: Routed): Promise<Routed> {
  const env = event.envelope;
  const conversation = env.bounceOf ? await tx.findConversationByProviderIds(env.channel, [env.bounceOf]) : null;
  if (conversation) {
    await tx.insertMessage(
      {
        conversationId: conversation.id,
        direction: 'inbound',
        author: { kind: 'system', name: env.from.name ?? env.from.value },
        text: `Delivery failed: ${env.text}`,
        attachments: [],
        providerId: env.providerId,
        status: 'received',
        visibility: 'internal',
      },
      now,
    );
  }
  await tx.completeInbound(event.id, now, conversation?.id ?? null);
  out.conversationId = conversation?.id ?? null;
  out.bounceReason = env.text;
  return out;
}
