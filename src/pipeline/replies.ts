import type { Contact, Conversation, Message } from '../model/types.ts';
import type { StoreTx } from '../store/contract.ts';

/** Where a thread's messages go, as the channel's adapter sees it (null when the channel is not loaded). */
export type DestinationOf = (channel: string, threadKey: string, replyRef: Record<string, unknown> | null) => string | null;

export interface ReplyInput {
  conversation: Conversation;
  contact: Contact;
  text: string;
  author: Message['author'];
  /** An agent's internal note: stored, shown to agents, never sent. */
  internal?: boolean;
  subject?: string;
}

/**
 * The one place an outgoing message is decided: it is stored and, unless it
 * is an internal note or the contact opted out of the channel, queued in the
 * outbox within the caller's transaction.
 */
export async function queueReply(tx: StoreTx, input: ReplyInput, now: number, destinationOf: DestinationOf): Promise<Message> {
  const { conversation, contact } = input;
  const channel = conversation.touchpoint.channel;
  const optedOut = contact.optOuts.includes('*') || contact.optOuts.includes(channel);
  const internal = input.internal === true;
  const message = await tx.insertMessage(
    {
      conversationId: conversation.id,
      direction: 'outbound',
      author: input.author,
      text: input.text,
      attachments: [],
      providerId: null,
      status: internal ? 'sent' : optedOut ? 'failed' : 'queued',
      visibility: internal ? 'internal' : 'customer',
      error: !internal && optedOut ? `contact opted out of ${channel}` : null,
      replyRef: conversation.replyRef,
      ...(input.subject ? { parts: [{ type: 'subject', text: input.subject }] } : {}),
    },
    now,
  );
  if (internal || optedOut) return message;
  const destination = destinationOf(channel, conversation.threadKey, conversation.replyRef) ?? conversation.threadKey;
  await tx.enqueueOutbound({ messageId: message.id, conversationId: conversation.id, channel, destination, dueAt: now }, now);
  return message;
}
