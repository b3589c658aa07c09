import type { SendMailOptions } from 'nodemailer';
import { type ChannelHost, type OutboundMessage, permanent } from '../../../src/channel/index.ts';
import { capReferences, domainOf, normalizeMessageId, ownMessageId, SYNTHETIC_ID_SUFFIX } from '../message-ids.ts';
import { readReplyRef } from '../reply-ref.ts';
import type { EmailSettings } from '../settings.ts';
import { parseThreadKey, plusAddress } from '../thread-key.ts';

/** Reply prefixes mail clients write, in several languages: a subject that has one gets no second. */
const REPLY_PREFIX = /^\s*(re|aw|sv|vs|antw|odp|rif|ref|r)(\[\d+\])?\s*:/i;

/**
 * Turns an outbound message into the mail nodemailer sends: answered in the
 * customer's thread (In-Reply-To, References, "Re:" subject), with our own
 * Message-ID derived from the outbox row, so a resend carries the same id.
 * `contents` are the bytes of the message's kept attachments, in order: they
 * travel in the mail itself, since the customer's mail client fetches nothing.
 */
export function composeReply(
  msg: OutboundMessage,
  s: EmailSettings,
  contents: readonly (Buffer | null)[] = [],
  unsubscribe?: ChannelHost['unsubscribe'],
): SendMailOptions {
  const ref = readReplyRef(msg.replyRef);
  const thread = parseThreadKey(msg.threadKey);
  const to = ref?.to ?? thread?.sender;
  if (!to)
    throw permanent(`no recipient: thread ${msg.threadKey} has no reply reference and is not an email thread key`);
  const address = s.address.toLowerCase();
  const idDomain = s.messageIdDomain ?? domainOf(address);
  const messageId = ownMessageId(msg.id, idDomain);

  const parent = mailIds([ref?.messageId ?? undefined])[0] ?? null;
  const chain = mailIds(ref?.references ?? []);
  const earlier = mailIds(msg.references);
  // Root first, the answered message last, our earlier messages in between.
  const references = capReferences(
    [...chain.filter((id) => id !== parent), ...earlier, ...(parent ? [parent] : [])].filter((id) => id !== messageId),
  );

  const mail: SendMailOptions = {
    from: { name: senderName(msg, s), address },
    to: ref?.name ? { name: ref.name, address: to } : to,
    subject: subjectOf(msg, ref?.subject ?? ''),
    messageId,
    text: msg.text,
    html: textToHtml(msg.text),
    headers: {},
  };
  if (parent) mail.inReplyTo = parent;
  if (references.length > 0) mail.references = references;
  if (msg.automatic) {
    // RFC 3834: marks the mail as automatic, so well-behaved responders do not answer it.
    mail.headers = { 'Auto-Submitted': 'auto-replied', 'X-Auto-Response-Suppress': 'All' };
  }
  if (isMarketing(msg)) mail.headers = { ...mail.headers, ...listUnsubscribe(msg, address, unsubscribe) };
  if (s.plusAddressing && thread) mail.replyTo = { name: s.displayName, address: plusAddress(address, thread.token) };
  const attachments = msg.attachments ?? [];
  if (attachments.length > 0) {
    mail.attachments = attachments.map((a, i) => {
      const name = a.name ? { filename: a.name } : {};
      const content = contents[i];
      if (content) return { content, contentType: a.contentType, ...name };
      if (a.blobKey) throw permanent(`attachment ${a.name ?? a.blobKey} is no longer kept: nothing to attach`);
      if (!a.url) throw permanent(`attachment ${a.name ?? a.contentType} has neither kept bytes nor a URL`);
      return { href: a.url, contentType: a.contentType, ...name };
    });
  }
  return mail;
}

/**
 * An agent's mail comes from them as the brand voice names agents to customers
 * (business.yaml `voice.agentName`, filled in by the core: "Maya Patel at
 * Harbour Street"), at the shop's own address; everything else from the shop.
 */
const senderName = (msg: OutboundMessage, s: EmailSettings) =>
  msg.author.kind === 'agent' && msg.author.name ? msg.author.name : s.displayName;

const isMarketing = (msg: OutboundMessage) =>
  (msg.parts ?? []).some((p) => typeof p === 'object' && p !== null && (p as { type?: unknown }).type === 'marketing');

/**
 * RFC 2369 / RFC 8058: marketing mail names how to leave — our signed one-click
 * URL (the mail client POSTs `List-Unsubscribe=One-Click` to it) and a mailto
 * whose subject the inbound side reads as an opt-out.
 */
function listUnsubscribe(
  msg: OutboundMessage,
  address: string,
  unsubscribe: ChannelHost['unsubscribe'],
): Record<string, string> {
  const mailto = `<mailto:${address}?subject=unsubscribe>`;
  const url = unsubscribe?.url(msg.conversationId, msg.channel);
  if (!url) return { 'List-Unsubscribe': mailto };
  return { 'List-Unsubscribe': `<${url}>, ${mailto}`, 'List-Unsubscribe-Post': 'List-Unsubscribe=One-Click' };
}

/**
 * Real Message-IDs only: stand-in ids of inbound mail that had none exist in
 * our store alone and mean nothing to mail clients.
 */
function mailIds(ids: readonly (string | undefined)[]): string[] {
  return ids
    .map((id) => normalizeMessageId(id))
    .filter((id): id is string => id !== null && !id.endsWith(SYNTHETIC_ID_SUFFIX));
}

/** The subject part of a message when the core set one (a new topic), else "Re: <their subject>". */
function subjectOf(msg: OutboundMessage, original: string): string {
  const part = (msg.parts ?? []).find(
    (p): p is { type: 'subject'; text: string } =>
      typeof p === 'object' &&
      p !== null &&
      (p as { type?: unknown }).type === 'subject' &&
      typeof (p as { text?: unknown }).text === 'string',
  );
  if (part && part.text.trim() !== '') return part.text.trim();
  const subject = original.trim();
  if (subject === '') return 'Re: your message';
  return REPLY_PREFIX.test(subject) ? subject : `Re: ${subject}`;
}

const ESCAPES: Record<string, string> = { '&': '&amp;', '<': '&lt;', '>': '&gt;', '"': '&quot;', "'": '&#39;' };

/** A plain HTML rendering of the text: escaped, paragraphs on blank lines, line breaks kept. */
export function textToHtml(text: string): string {
  const escaped = text.replace(/[&<>"']/g, (c) => ESCAPES[c] as string);
  const paragraphs = escaped
    .replace(/\r\n?/g, '\n')
    .split(/\n{2,}/)
    .map((p) => p.trim())
    .filter((p) => p !== '')
    .map((p) => `<p>${p.replace(/\n/g, '<br>\n')}</p>`);
  return `<!doctype html>\n<html><body>\n${paragraphs.join('\n')}\n</body></html>\n`;
}
