import type { Contact, Conversation, Message } from '../model/types.ts';
import { builtInPublicGuard, divertRefused, type PublicSendGuard } from '../policies/public-guard.ts';
import type { StoreTx } from '../store/contract.ts';

/**
 * Where a thread's messages go, as the channel's adapter sees it: a destination
 * on the same channel, or another channel and destination when the channel
 * replies elsewhere (`replyVia`); null when the channel is not loaded.
 */
export type DestinationOf = (
  channel: string,
  threadKey: string,
  replyRef: Record<string, unknown> | null,
) => string | { channel: string; destination: string } | null;

export interface ReplyInput {
  conversation: Conversation;
  contact: Contact;
  text: string;
  author: Message['author'];
  /** An agent's internal note: stored, shown to agents, never sent. */
  internal?: boolean;
  subject?: string;
  /** Channel-neutral rich parts (choices rendered as buttons where the channel can). */
  parts?: unknown[];
}

/**
 * The one place an outgoing message is decided: it is stored and, unless it
 * is an internal note or the contact opted out of the channel, queued in the
 * outbox within the caller's transaction. On a public touchpoint the guard
 * refuses text holding personal data: it is kept as an internal note and
 * routed to a private conversation instead (src/policies/public-guard.ts).
 */
export async function queueReply(
  tx: StoreTx,
  input: ReplyInput,
  now: number,
  destinationOf: DestinationOf,
  guard: PublicSendGuard = builtInPublicGuard,
): Promise<Message> {
  const { conversation, contact } = input;
  const channel = conversation.touchpoint.channel;
  const optedOut = contact.optOuts.includes('*') || contact.optOuts.includes(channel);
  const internal = input.internal === true;
  const refused = !internal && conversation.touchpoint.visibility === 'public' ? guard.inspect(input.text) : null;
  const message = await tx.insertMessage(
    {
      conversationId: conversation.id,
      direction: 'outbound',
      author: input.author,
      text: input.text,
      attachments: [],
      providerId: null,
      status: internal ? 'sent' : optedOut || refused ? 'failed' : 'queued',
      visibility: internal || refused ? 'internal' : 'customer',
      error: refused
        ? `refused on a public touchpoint: ${refused}`
        : !internal && optedOut
          ? `contact opted out of ${channel}`
          : null,
      replyRef: conversation.replyRef,
      ...partsOf(input),
    },
    now,
  );
  if (refused) {
    await divertRefused(
      tx,
      conversation.id,
      { messageId: message.id, text: input.text, author: input.author, reason: refused },
      now,
    );
    return message;
  }
  if (internal || optedOut) return message;
  const route = destinationOf(channel, conversation.threadKey, conversation.replyRef) ?? conversation.threadKey;
  const via = typeof route === 'string' ? { channel, destination: route } : route;
  await tx.enqueueOutbound({ messageId: message.id, conversationId: conversation.id, ...via, dueAt: now }, now, {
    message,
    conversation,
  });
  return message;
}

function partsOf(input: ReplyInput): { parts?: unknown[] } {
  const parts = [...(input.subject ? [{ type: 'subject', text: input.subject }] : []), ...(input.parts ?? [])];
  return parts.length > 0 ? { parts } : {};
}
