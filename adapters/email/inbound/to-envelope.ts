import type { Envelope, EnvelopeFlags } from '../../../src/channel/index.ts';
import { type BounceReport, describeBounce, parseBounce } from './bounce.ts';
import { autoReplyReasons } from './classify-mail.ts';
import type { InboundMail } from './parse.ts';
import { stripQuoted } from './strip-quotes.ts';
import { threadOf } from './thread.ts';

export const EMAIL_TOUCHPOINT = { channel: 'email', kind: 'email', visibility: 'private' } as const;

/** Where the message was found, for the audit trail. */
export interface MailOrigin {
  mailbox: string;
  uid: number;
  uidValidity: string;
  /** Set when only the headers were fetched because the message exceeds the size limit. */
  tooLarge?: { size: number; limit: number };
}

/** The raw part of an email envelope: everything an agent or an audit may need beyond the normalised fields. */
export interface EmailRaw {
  origin: MailOrigin;
  subject: string;
  /** The whole text, quoted history and signature included. */
  fullText: string;
  headers: { name: string; value: string }[];
  autoReplyReasons: string[];
  bounce: BounceReport | null;
  droppedAttachments: InboundMail['droppedAttachments'];
  problem: string | null;
  size: number;
}

/** "unsubscribe", alone (a fixed string, no backtracking). */
const UNSUBSCRIBE_SUBJECT = /^\s*unsubscribe\s*$/i;

/** Bounds on what is copied into the stored envelope. */
const MAX_FULL_TEXT = 200_000;
const MAX_HEADERS = 200;

export function toEnvelope(mail: InboundMail, ourAddress: string, origin: MailOrigin): Envelope {
  const sender = mail.from?.address ?? 'unknown@invalid';
  const thread = threadOf(mail, sender, ourAddress);
  const reasons = autoReplyReasons(mail.headers, mail.from?.address ?? null);
  const bounce = parseBounce(mail);
  const flags: EnvelopeFlags = {};
  if (reasons.length > 0 || bounce !== null) flags.autoReply = true;
  if (bounce?.failed) flags.bounce = true;
  if (sender === ourAddress.toLowerCase()) flags.echo = true;
  // the mailto of List-Unsubscribe (outbound/compose.ts): a mail whose subject is just "unsubscribe"
  if (reasons.length === 0 && bounce === null && UNSUBSCRIBE_SUBJECT.test(mail.subject)) flags.optOut = 'unsubscribe';

  const raw: EmailRaw = {
    origin,
    subject: mail.subject,
    fullText: mail.text.slice(0, MAX_FULL_TEXT),
    headers: mail.headers.slice(0, MAX_HEADERS),
    autoReplyReasons: reasons,
    bounce,
    droppedAttachments: mail.droppedAttachments,
    problem: mail.problem,
    size: mail.size,
  };
  const envelope: Envelope = {
    channel: 'email',
    providerId: mail.messageId,
    touchpoint: { ...EMAIL_TOUCHPOINT },
    threadKey: thread.threadKey,
    from: { kind: 'email', value: sender, name: mail.from?.name ?? null },
    text: bodyText(mail, bounce, origin),
    flags,
    raw,
  };
  const inReplyTo = bounce?.originalMessageId
    ? [...new Set([bounce.originalMessageId, ...thread.inReplyTo])]
    : thread.inReplyTo;
  if (inReplyTo.length > 0) envelope.inReplyTo = inReplyTo;
  if (bounce?.failed && bounce.originalMessageId) envelope.bounceOf = bounce.originalMessageId;
  const hard = bounce?.recipients.filter((r) => r.permanent).map((r) => r.recipient) ?? [];
  if (hard.length > 0) envelope.hardBounced = hard;
  // Nobody answers a mailer daemon: a bounce must not become the conversation's reply target.
  if (!bounce) envelope.replyRef = { ...thread.replyRef };
  if (mail.attachments.length > 0) envelope.attachments = mail.attachments;
  if (mail.date !== null) envelope.sentAt = mail.date;
  return envelope;
}

/** The text the core stores and classifies: the new part of the message, or a readable bounce summary. */
function bodyText(mail: InboundMail, bounce: BounceReport | null, origin: MailOrigin): string {
  // A standard report says it all in its machine part; another daemon's notice only in its prose.
  if (bounce)
    return [describeBounce(bounce), bounce.standard ? '' : stripQuoted(mail.text)].filter(Boolean).join('\n\n');
  if (origin.tooLarge) {
    return `(message of ${origin.tooLarge.size} bytes is larger than the ${origin.tooLarge.limit}-byte limit: only its headers were read)`;
  }
  const fresh = stripQuoted(mail.text);
  if (fresh !== '') return fresh;
  if (mail.text !== '') return mail.text.slice(0, MAX_FULL_TEXT);
  if (mail.problem) return `(${mail.problem})`;
  return mail.subject;
}
