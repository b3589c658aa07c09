import { type AddressObject, type EmailAddress, type ParsedMail, simpleParser } from 'mailparser';
import type { Attachment } from '../../../src/channel/index.ts';
import { idsIn, normalizeMessageId, syntheticMessageId } from '../message-ids.ts';
import { type HeaderLine, headerValues, parseHeaderBlock, unfoldHeaderLines } from './headers.ts';

/** What the rest of the adapter needs from one RFC 5322 message. */
export interface InboundMail {
  /** The Message-ID, or a stable stand-in derived from the bytes when the message has none. */
  messageId: string;
  inReplyTo: string[];
  references: string[];
  subject: string;
  from: { address: string; name: string | null } | null;
  /** Where replies should go: Reply-To when present, else From. */
  replyTo: string | null;
  /** To, Cc, Delivered-To and X-Original-To addresses, lower-cased. */
  recipients: string[];
  date: number | null;
  /** The whole text (HTML converted when there is no text part), quotes and signatures included. */
  text: string;
  headers: HeaderLine[];
  /** e.g. `multipart/report`, lower-cased. */
  contentType: string;
  /** The `report-type` parameter of a multipart/report. */
  reportType: string | null;
  /** Attachments within the size limit, described; their bytes are in `contents`, in the same order. */
  attachments: Attachment[];
  contents: Buffer[];
  droppedAttachments: (Attachment & { reason: string })[];
  /** Machine-readable parts of a delivery report. */
  report: { deliveryStatus: string | null; originalHeaders: string | null };
  size: number;
  /** Why the message could not be parsed fully (it is still ingested, with what could be read). */
  problem: string | null;
}

export interface ParseOptions {
  maxAttachmentBytes: number;
}

/** Parts of a delivery report that are data for the bounce parser, not attachments for people. */
const REPORT_STATUS = new Set(['message/delivery-status', 'message/global-delivery-status']);
const REPORT_ORIGINAL = new Set(['message/rfc822', 'text/rfc822-headers', 'message/global', 'message/global-headers']);

export async function parseMail(source: Buffer, opts: ParseOptions): Promise<InboundMail> {
  let parsed: ParsedMail;
  try {
    parsed = await simpleParser(source, { keepDeliveryStatus: true, skipTextToHtml: true, skipImageLinks: true });
  } catch (err) {
    return unparseable(source, err instanceof Error ? err.message : String(err));
  }
  const headers = unfoldHeaderLines(parsed.headerLines);
  const contentType = parsed.headers.get('content-type') as
    | { value?: string; params?: Record<string, string> }
    | undefined;
  const type = (contentType?.value ?? 'text/plain').toLowerCase();
  const isReport = type === 'multipart/report';
  const report: InboundMail['report'] = { deliveryStatus: null, originalHeaders: null };
  const attachments: Attachment[] = [];
  const contents: Buffer[] = [];
  const dropped: InboundMail['droppedAttachments'] = [];
  for (const a of parsed.attachments) {
    const ct = a.contentType.toLowerCase();
    if (isReport && REPORT_STATUS.has(ct)) {
      report.deliveryStatus ??= a.content.toString('utf8');
      continue;
    }
    if (isReport && REPORT_ORIGINAL.has(ct)) {
      report.originalHeaders ??= headerBlockOf(a.content.toString('utf8'));
      continue;
    }
    // Images the HTML body shows inline (logos in signatures) are part of the body, not attachments.
    if (a.related) continue;
    const meta: Attachment = { contentType: ct, size: a.size };
    if (a.filename) meta.name = a.filename;
    if (a.size > opts.maxAttachmentBytes)
      dropped.push({ ...meta, reason: `larger than ${opts.maxAttachmentBytes} bytes` });
    else {
      attachments.push(meta);
      contents.push(a.content);
    }
  }
  const from = firstAddress(parsed.from);
  const replyTo = firstAddress(parsed.replyTo);
  const recipients = [
    ...addresses(parsed.to),
    ...addresses(parsed.cc),
    ...headerValues(headers, 'delivered-to'),
    ...headerValues(headers, 'x-original-to'),
  ].map((a) => a.trim().toLowerCase());
  return {
    messageId: normalizeMessageId(parsed.messageId) ?? syntheticMessageId(source),
    inReplyTo: idsIn(parsed.inReplyTo),
    references: idsIn(parsed.references),
    subject: (parsed.subject ?? '').trim(),
    from,
    replyTo: replyTo?.address ?? from?.address ?? null,
    recipients: [...new Set(recipients)],
    date: parsed.date && !Number.isNaN(parsed.date.getTime()) ? parsed.date.getTime() : null,
    text: normalizeText(parsed.text ?? ''),
    headers,
    contentType: type,
    reportType: contentType?.params?.['report-type']?.toLowerCase() ?? null,
    attachments,
    contents,
    droppedAttachments: dropped,
    report,
    size: source.length,
    problem: parsed.textConversionError ? `HTML could not be converted: ${parsed.textConversionError.message}` : null,
  };
}

/** A message mailparser gave up on: its header block is still read by hand, so it can be routed and deduplicated. */
function unparseable(source: Buffer, reason: string): InboundMail {
  const headers = parseHeaderBlock(headerBlockOf(source.toString('latin1')));
  const get = (name: string) => headers.find((h) => h.name === name)?.value ?? null;
  const fromAddr =
    /<([^<>\s@]+@[^<>\s]+)>/.exec(get('from') ?? '')?.[1] ?? /(?<!\S)\S+@\S+/.exec(get('from') ?? '')?.[0] ?? null;
  const from = fromAddr ? { address: fromAddr.toLowerCase(), name: null } : null;
  return {
    messageId: normalizeMessageId(get('message-id')) ?? syntheticMessageId(source),
    inReplyTo: idsIn(get('in-reply-to')),
    references: idsIn(get('references')),
    subject: get('subject') ?? '',
    from,
    replyTo: from?.address ?? null,
    recipients: [],
    date: null,
    text: '',
    headers,
    contentType: 'application/octet-stream',
    reportType: null,
    attachments: [],
    contents: [],
    droppedAttachments: [],
    report: { deliveryStatus: null, originalHeaders: null },
    size: source.length,
    problem: `message could not be parsed: ${reason}`,
  };
}

/** The header section of a message given as text (everything before the first empty line). */
function headerBlockOf(text: string): string {
  const end = text.search(/\r?\n\r?\n/);
  return end < 0 ? text : text.slice(0, end);
}

function flatten(list: readonly EmailAddress[]): EmailAddress[] {
  return list.flatMap((a) => (a.group ? flatten(a.group) : [a]));
}

function addresses(field: AddressObject | AddressObject[] | undefined): string[] {
  if (!field) return [];
  const objects = Array.isArray(field) ? field : [field];
  return flatten(objects.flatMap((o) => o.value)).flatMap((a) => (a.address ? [a.address] : []));
}

function firstAddress(field: AddressObject | undefined): { address: string; name: string | null } | null {
  if (!field) return null;
  const first = flatten(field.value).find((a) => a.address);
  if (!first?.address) return null;
  return { address: first.address.toLowerCase(), name: first.name.trim() || null };
}

function normalizeText(text: string): string {
  return text
    .replace(/\r\n?/g, '\n')
    .replace(/\u00a0/g, ' ')
    .replace(/(?<![ \t])[ \t]+$/gm, '')
    .trim();
}
