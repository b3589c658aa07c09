import { refreshVip } from '../contacts/vip.ts';
import type { Contact, Conversation, ConversationStatus, Message } from '../model/types.ts';
import type { Outbound } from '../outbound/outbound.ts';
import type { Settings } from '../settings/types.ts';
import type { StoreTx } from '../store/contract.ts';
import type { DecisionContext, RaisedEvent } from './context.ts';
import { joinProven } from './identify.ts';

export interface Written {
  conversation: Conversation;
  /** Customer-visible messages recorded (queued, or failed for an opted-out contact). */
  messages: Message[];
  events: RaisedEvent[];
}

export function newDecision(
  settings: Settings,
  now: number,
  conversation: Conversation,
  contact: Contact,
): DecisionContext {
  return {
    now,
    settings,
    contact,
    conversation,
    classification: null,
    replies: [],
    patch: {},
    contactPatch: {},
    timers: [],
    cancelTimers: [],
    events: [],
    proven: [],
  };
}

/** Loads a conversation and its contact, serialised with routing on the same thread. */
export async function loadForDecision(
  tx: StoreTx,
  conversationId: string,
): Promise<{ conversation: Conversation; contact: Contact } | null> {
  const found = await tx.getConversation(conversationId);
  if (!found) return null;
  await tx.lockThread(found.touchpoint.channel, found.threadKey);
  // read again under the lock: routing may have changed it while we waited
  const conversation = (await tx.getConversation(conversationId)) ?? found;
  const contact = await tx.getContact(conversation.contactId);
  return contact ? { conversation, contact } : null;
}

/** A closed conversation stays closed: nothing more is written there. */
const REACHABLE: ConversationStatus[] = ['open', 'pending', 'snoozed', 'resolved'];
/** Public threads (comments, channels) are skipped past; a contact rarely has more than this. */
const REACH_LIMIT = 50;

/** The contact's private conversations that can still take a message from us, most recently updated first. */
export async function reachableConversations(tx: StoreTx, contactId: string): Promise<Conversation[]> {
  const theirs = await tx.findConversationsOfContact(contactId, { statuses: REACHABLE, limit: REACH_LIMIT });
  return theirs.filter((c) => c.touchpoint.visibility === 'private');
}

export interface WriteDeps {
  /** The outbound chain every reply passes (consent, public-send guard, destination). */
  outbound: Outbound;
}

/**
 * Writes a decision in the caller's transaction: the conversation and contact
 * changes, every reply through the outbound chain, the timers. Inbound routing,
 * timers, business events and agent actions all write here.
 */
export async function writeDecision(tx: StoreTx, ctx: DecisionContext, deps: WriteDeps): Promise<Written> {
  const { now } = ctx;
  const conversation = { ...ctx.conversation, ...ctx.patch } as Conversation;
  if (Object.keys(ctx.patch).length > 0) await tx.updateConversation(conversation.id, ctx.patch, now);
  let contact = { ...ctx.contact, ...ctx.contactPatch } as Contact;
  if (Object.keys(ctx.contactPatch).length > 0) {
    await tx.updateContact(ctx.contact.id, ctx.contactPatch);
    await recordOptOuts(tx, ctx, now);
    // attributes changed (a flow's `set`, a business event): VIP follows the criteria
    contact = await refreshVip(tx, contact, ctx.settings.contacts.vip, { now, cause: 'attributes changed' });
  }
  for (const identity of ctx.proven) await joinProven(tx, contact.id, identity, now);
  const messages: Message[] = [];
  for (const reply of ctx.replies) {
    const input = {
      conversation,
      contact,
      text: reply.text,
      author: { kind: reply.author, name: ctx.settings.business.name },
      ...(reply.subject ? { subject: reply.subject } : {}),
      ...(reply.parts ? { parts: reply.parts } : {}),
      ...(reply.internal ? { internal: true } : {}),
      ...(reply.templateId ? { templateId: reply.templateId } : {}),
      ...(reply.whatsapp ? { whatsappTemplate: reply.whatsapp } : {}),
    };
    messages.push(await deps.outbound.send(tx, input, now));
  }
  for (const e of ctx.events) {
    if (e.type === 'csat' && typeof e.data?.score === 'number') await recordCsat(tx, conversation.id, e.data, now);
    if (e.type === 'self-service' && typeof e.data?.helped === 'boolean')
      await tx.recordFact(conversation.id, 'self_service', now, {
        score: e.data.helped ? 1 : 0,
        flow: typeof e.data.flow === 'string' ? e.data.flow : null,
      });
  }
  for (const key of ctx.cancelTimers) await tx.cancelTimerByKey(key);
  for (const timer of ctx.timers)
    await tx.scheduleTimer({ ...timer, conversationId: timer.conversationId ?? conversation.id }, now);
  return { conversation, messages, events: ctx.events };
}

/** An opt-out set or lifted (STOP, START) goes into the contact's history, with the decision's reason. */
async function recordOptOuts(tx: StoreTx, ctx: DecisionContext, now: number): Promise<void> {
  const after = ctx.contactPatch.optOuts;
  if (!after) return;
  const before = ctx.contact.optOuts;
  // a routing decision says why (the STOP keyword: "opted out of sms")
  const source = 'silence' in ctx && typeof ctx.silence === 'string' ? ctx.silence : 'a decision';
  const changes = [
    ...after.filter((c) => !before.includes(c)).map((channel) => ({ channel, on: true })),
    ...before.filter((c) => !after.includes(c)).map((channel) => ({ channel, on: false })),
  ];
  for (const c of changes)
    await tx.recordContactChange({ contactId: ctx.contact.id, kind: 'opt-out', ...c, source, at: now });
}

/** A CSAT answer is a fact the moment it is given: it outlives the flow that asked. */
function recordCsat(tx: StoreTx, conversationId: string, data: Record<string, unknown>, now: number): Promise<void> {
  const text = (v: unknown) => (typeof v === 'string' ? v : null);
  return tx.recordFact(conversationId, 'csat', now, {
    score: Number(data.score),
    comment: text(data.comment),
    flow: text(data.flow),
  });
}
