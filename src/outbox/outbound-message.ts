import type { SendError } from '../errors.ts';
import type { Conversation, Message, OutboundMessage } from '../model/types.ts';
import type { OutboxJob } from '../store/contract.ts';

/** What an adapter is handed for one outbox row. */
export function buildOutbound(
  job: OutboxJob,
  loaded: { message: Message; conversation: Conversation; references: string[] },
): OutboundMessage {
  const { message, conversation, references } = loaded;
  return {
    id: job.id,
    messageId: message.id,
    conversationId: conversation.id,
    channel: job.channel,
    touchpoint: conversation.touchpoint,
    threadKey: conversation.threadKey,
    destination: job.destination,
    text: message.text,
    ...(message.parts ? { parts: message.parts } : {}),
    ...(message.attachments.length > 0 ? { attachments: message.attachments } : {}),
    replyRef: message.replyRef ?? conversation.replyRef,
    lastInboundAt: conversation.lastInboundAt,
    references,
    author: message.author,
    automatic: message.author.kind === 'bot' || message.author.kind === 'system',
    attempt: job.attempts + 1,
  };
}

/** The text stored as the row's last error: the failure kind, the message and the provider's own code. */
export function describeSendError(err: SendError): string {
  const code = err.providerCode ? ` (provider code ${err.providerCode})` : '';
  return `${err.failure}: ${err.message}${code}`;
}
