import { capReferences } from '../message-ids.ts';
import type { EmailReplyRef } from '../reply-ref.ts';
import { threadKeyOf, threadToken, tokenFromRecipients } from '../thread-key.ts';
import type { InboundMail } from './parse.ts';

export interface MailThread {
  threadKey: string;
  /** In-Reply-To then References: the core looks our earlier Message-IDs up among these. */
  inReplyTo: string[];
  replyRef: EmailReplyRef;
}

/**
 * Places a message in a thread. Never by subject: by the reply token of our
 * plus address when the customer wrote to it, else by the root of the
 * References chain, else the message starts a thread of its own.
 */
export function threadOf(mail: InboundMail, sender: string, ourAddress: string): MailThread {
  const token =
    tokenFromRecipients(mail.recipients, ourAddress) ??
    threadToken(mail.references[0] ?? mail.inReplyTo[0] ?? mail.messageId);
  const inReplyTo = [...new Set([...mail.inReplyTo, ...mail.references])];
  return {
    threadKey: threadKeyOf(sender, token),
    inReplyTo,
    replyRef: {
      to: mail.replyTo ?? sender,
      name: mail.from?.name ?? null,
      subject: mail.subject,
      messageId: mail.messageId,
      // A client that sent In-Reply-To without References still names the parent.
      references: capReferences([...(mail.references.length > 0 ? mail.references : mail.inReplyTo), mail.messageId]),
    },
  };
}
