import type { BusinessCalendar } from '../calendar/calendar.ts';
import { OUTREACH_AUTHOR_PREFIX } from '../facts/derive.ts';
import type { Contact } from '../model/types.ts';
import { consentOnFile } from '../outbound/consent-on-file.ts';
import { type FirstContactDeps, reachContact } from '../outbound/first-contact.ts';
import { marketingOptOut, type Outbound, optedOut } from '../outbound/outbound.ts';
import { renderTemplate } from '../outbound/templates.ts';
import type { Broadcast, Recipient } from '../store/broadcast-records.ts';
import type { StoreTx } from '../store/contract.ts';
import { quietUntil } from './quiet-hours.ts';

/** The config in force that a send reads (src/live-config.ts). */
export interface SendDeps {
  outbound: Outbound;
  firstContact: FirstContactDeps;
  calendar: BusinessCalendar;
}

export type SendOutcome = 'queued' | 'skipped' | 'deferred' | 'taken';

/**
 * One recipient's turn, in one transaction: the recipient leaves `pending`
 * first (a second instance that gets here after the commit finds it taken),
 * then the rules of the day are checked again — opt-out, consent, quiet hours —
 * and the message goes through the one outbound chain into the outbox, in
 * this same transaction. A crash before the commit leaves the recipient
 * pending and nothing queued; after it, the outbox owns the send.
 */
export async function sendToRecipient(
  tx: StoreTx,
  b: Broadcast,
  r: Recipient,
  deps: SendDeps,
  now: number,
): Promise<SendOutcome> {
  const contact = await tx.getContact(r.contactId);
  const held = contact ? await holdBack(tx, b, contact, deps, now) : { skip: 'the contact no longer exists' };
  if (held && 'until' in held) {
    await tx.deferRecipient(r.id, held.until, 'quiet hours in the contact’s timezone', now);
    return 'deferred';
  }
  if (held || !contact) {
    return (await tx.settleRecipient(r.id, { status: 'skipped', reason: held?.skip ?? 'no contact' }, now))
      ? 'skipped'
      : 'taken';
  }
  if (!(await tx.settleRecipient(r.id, { status: 'queued' }, now))) return 'taken';
  const templated = typeof b.message !== 'string' && b.message.whatsapp !== undefined;
  const reached = await reachContact(
    tx,
    { contact, channel: b.channel, templated, status: 'resolved', now },
    deps.firstContact,
  );
  if ('refused' in reached) {
    await tx.recordRecipient(r.id, { status: 'skipped', reason: reached.refused.join('; ') }, now);
    return 'skipped';
  }
  const conversation = reached.conversation;
  const rendered = renderTemplate({ broadcast: b.message }, 'broadcast', {
    channel: b.channel,
    language: contact.language,
    vars: varsOf(contact),
  });
  const message = await deps.outbound.send(
    tx,
    {
      conversation,
      contact,
      text: rendered.text,
      // Marked as outreach: the facts count it as no response (src/facts/derive.ts).
      author: { kind: 'bot', id: `${OUTREACH_AUTHOR_PREFIX}${b.id}` },
      ...(rendered.subject ? { subject: rendered.subject } : {}),
      templateId: `broadcast ${b.name}`,
      ...(rendered.whatsapp ? { whatsappTemplate: rendered.whatsapp } : {}),
    },
    now,
  );
  // Agents reading the thread (and a reply landing in it) see where the message came from.
  await tx.insertMessage(
    {
      conversationId: conversation.id,
      direction: 'outbound',
      author: { kind: 'system' },
      text: `Broadcast "${b.name}" (${b.id}) was sent here; replies land in this conversation.`,
      attachments: [],
      providerId: null,
      status: 'sent',
      visibility: 'internal',
      error: null,
      replyRef: null,
    },
    now,
  );
  const queued = message.status !== 'failed';
  const outcome = queued ? { status: 'queued' as const } : { status: 'skipped' as const, reason: message.error ?? '' };
  await tx.recordRecipient(r.id, { ...outcome, conversationId: conversation.id, messageId: message.id }, now);
  return queued ? 'queued' : 'skipped';
}

/** Why the contact gets nothing (`skip`), or until when they wait (`until`); null when the message may go now. */
async function holdBack(
  tx: StoreTx,
  b: Broadcast,
  contact: Contact,
  deps: SendDeps,
  now: number,
): Promise<{ skip: string } | { until: number } | null> {
  if (optedOut(contact, b.channel)) return { skip: `the contact opted out of ${b.channel}` };
  if (contact.optOuts.includes(marketingOptOut(b.channel)))
    return { skip: `the contact unsubscribed from marketing on ${b.channel}` };
  const consent = b.segment.consent;
  if (consent !== undefined && !(await consentOnFile(tx, contact.id, consent)))
    return { skip: `no recorded consent for ${consent} any more` };
  if (!b.quietHours) return null;
  const until = quietUntil(deps.calendar, contact.timezone, now, b.channel);
  if (until === 'never') return { skip: 'the business calendar does not open within a year' };
  return until === null ? null : { until };
}

/** What a broadcast template may name: {name}, and the contact's attributes as {contact.<name>}. */
function varsOf(contact: Contact): Record<string, string | number | boolean | null> {
  const vars: Record<string, string | number | boolean | null> = { name: contact.name };
  for (const [k, v] of Object.entries(contact.attributes)) {
    if (v === null || ['string', 'number', 'boolean'].includes(typeof v)) vars[`contact.${k}`] = v as string;
  }
  return vars;
}
