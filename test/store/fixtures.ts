import type { Conversation, Envelope, Message } from '../../src/model/types.ts';
import type { NewInbound, NewMessage, Store, StoreTx } from '../../src/store/contract.ts';
import { newConversation } from '../support/records.ts';

export const T0 = Date.UTC(2026, 0, 5, 9, 0, 0);

export function envelope(channel: string, providerId: string, threadKey: string, text = 'hello'): Envelope {
  return {
    channel,
    providerId,
    touchpoint: { channel, kind: channel, visibility: 'private' },
    threadKey,
    from: { kind: 'email', value: 'ann@example.com', name: 'Ann' },
    text,
    replyRef: { to: 'ann@example.com' },
    raw: { nul: 'a\u0000b', nested: [1, { x: true }] },
  };
}

export function inbound(providerId: string, threadKey = 't1', receivedAt = T0, channel = 'webchat'): NewInbound {
  return { channel, providerId, threadKey, envelope: envelope(channel, providerId, threadKey), receivedAt };
}

export interface Seeded {
  conversation: Conversation;
  contactId: string;
}

let seq = 0;

/** A contact with one conversation on `channel`/`threadKey`. */
export function seed(
  store: Store,
  opts: { channel?: string; threadKey?: string; status?: Conversation['status']; now?: number } = {},
): Promise<Seeded> {
  const channel = opts.channel ?? 'email';
  const now = opts.now ?? T0;
  return store.transaction(async (tx) => {
    const contact = await tx.createContact({ name: 'Ann' }, { kind: 'email', value: `ann${seq++}@example.com` }, now);
    const conversation = await tx.createConversation(
      newConversation(contact.id, channel, opts.threadKey ?? `thread-${seq}`, { status: opts.status ?? 'open' }),
      now,
    );
    return { conversation, contactId: contact.id };
  });
}

export function message(conversationId: string, over: Partial<NewMessage> = {}): NewMessage {
  return {
    conversationId,
    direction: 'outbound',
    author: { kind: 'bot' },
    text: 'hi',
    attachments: [],
    providerId: null,
    status: 'queued',
    visibility: 'customer',
    ...over,
  };
}

/** Inserts a message and queues it for sending in one transaction. */
export async function queued(
  store: Store,
  conversationId: string,
  dueAt = T0,
  over: Partial<NewMessage> = {},
  lane = { channel: 'email', destination: 'ann@example.com' },
) {
  return store.transaction(async (tx: StoreTx) => {
    const msg: Message = await tx.insertMessage(message(conversationId, over), T0);
    const job = await tx.enqueueOutbound({ messageId: msg.id, conversationId, ...lane, dueAt }, T0);
    return { msg, job };
  });
}

export const lease = (owner: string, now: number, limit = 10, leaseMs = 30_000) => ({ owner, now, leaseMs, limit });
