import { refreshVip } from '../contacts/vip.ts';
import type { Contact, Conversation, Envelope, Message } from '../model/types.ts';
import type { Outbound } from '../outbound/outbound.ts';
import type { Settings } from '../settings/types.ts';
import type { InboundEvent, StoreTx } from '../store/contract.ts';
import { newConversation } from '../store/new-conversation.ts';
import { analysedText } from '../text/analysed.ts';
import type { RouteContext } from './context.ts';
import { eventTombstone, identify, senderIdentity } from './identify.ts';
import type { RouteSteps } from './route-steps.ts';
import { newDecision, writeDecision } from './write-decision.ts';

export interface Routed {
  conversationId: string | null;
  channel: string;
  threadKey: string;
  /** Customer-visible messages written, for live clients. */
  messages: Message[];
  events: RouteContext['events'];
  queued: number;
}

export interface RouteDeps {
  settings: Settings;
  /** The ordered routing steps (route-steps.ts). */
  steps: RouteSteps;
  outbound: Outbound;
}

const live = ['open', 'pending', 'snoozed'] as const;

/**
 * A provider redelivering a message of a contact who was erased: dropped,
 * with its words, so it does not bring them back. A new message from the
 * same sender is them writing again: from then on they are a new contact.
 */
async function erasedRedelivery(tx: StoreTx, event: InboundEvent, now: number): Promise<boolean> {
  const env = event.envelope;
  const sender = senderIdentity(env);
  if (!(await tx.isTombstoned(sender))) return false;
  if (await tx.isTombstoned(eventTombstone(env.channel, env.providerId))) {
    await tx.forgetInbound(event.id);
    await tx.completeInbound(event.id, now, null);
    return true;
  }
  await tx.liftTombstone(sender);
  return false;
}

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
  };
  if (env.flags?.echo) {
    await tx.completeInbound(event.id, now, null);
    return out;
  }
  if (env.flags?.bounce) return recordBounce(tx, event, now, out);

  if (await erasedRedelivery(tx, event, now)) return out;
  // The steps read a bounded prefix of the text (src/text/analysed.ts); the message stores all of it.
  const seen: Envelope = { ...env, text: analysedText(env.text) };
  // VIP as the criteria say now (a listed number writing for the first time), before priority and SLA use it
  const contact = await refreshVip(tx, await identify(tx, seen, now), deps.settings.contacts.vip, {
    now,
    cause: `wrote on ${env.channel}`,
  });
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
    ...newDecision(deps.settings, now, conversation, contact),
    envelope: seen,
    message,
    isNewConversation: isNew,
    crisis: await tx.activeCrisis(),
    patch: {
      lastInboundAt: now,
      ...(env.replyRef ? { replyRef: env.replyRef } : {}),
      ...(conversation.status !== 'open' ? { status: 'open' as const } : {}),
    },
    silence: null,
  };
  await deps.steps.decide(ctx);
  await deps.steps.settle(ctx);
  const written = await writeDecision(tx, ctx, { outbound: deps.outbound });
  out.messages.push(...written.messages);
  out.queued = written.messages.filter((m) => m.status === 'queued').length;
  await tx.completeInbound(event.id, now, conversation.id);
  out.conversationId = conversation.id;
  out.events = ctx.events;
  return out;
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
 * note in the conversation it concerns, the message it names is marked failed,
 * and an address that failed for good is suppressed: nothing is sent to it again.
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
  if (env.bounceOf) await tx.updateDelivery(env.channel, env.bounceOf, 'failed', env.text || 'bounced');
  for (const address of env.hardBounced ?? []) {
    await tx.suppress(env.channel, address, { reason: `hard bounce: ${env.text.slice(0, 200)}`, at: now });
  }
  await tx.completeInbound(event.id, now, conversation?.id ?? null);
  out.conversationId = conversation?.id ?? null;
  return out;
}
