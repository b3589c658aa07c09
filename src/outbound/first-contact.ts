import type { Contact, Conversation, IdentityRef, Touchpoint } from '../model/types.ts';
import type { FirstContactSettings } from '../settings/contacts-schema.ts';
import type { StoreTx } from '../store/contract.ts';
import { newConversation } from '../store/new-conversation.ts';
import { consentChannels, consentOnFile } from './consent-on-file.ts';
import { optedOut } from './outbound.ts';

/**
 * First contact: the business (an event, an agent) writes to a contact on a
 * channel where they never wrote, or have no conversation we can write on.
 * The channel comes from contacts.yaml — the customer's last active channel,
 * then the configured order — and each channel must pass the same rules the
 * outbound chain holds every message to: no opt-out, recorded consent where the
 * channel needs it (SMS always), and a reply window (WhatsApp's 24 hours) only
 * with an approved template.
 */

/** The channel directory's `startThread`: a new thread to one identity, or null when the channel cannot reach it. */
export type OpenThread = (
  channel: string,
  request: { to: IdentityRef },
) => { threadKey: string; touchpoint: Touchpoint; replyRef: Record<string, unknown> | null } | null;

export interface FirstContactDeps {
  settings: FirstContactSettings;
  startThread: OpenThread | undefined;
  /** The channel's reply window in hours, or null (the adapter's `replyWindowHours`). */
  windowHoursOf: (channel: string) => number | null;
}

export interface FirstContactRequest {
  contact: Contact;
  /** Only this channel (an agent or the event named it); else the configured choice. */
  channel?: string | undefined;
  /** What is sent is an approved template, so a channel with a closed reply window can take it. */
  templated: boolean;
  /** The status the opened conversation starts with (an event's stays out of the queue: `resolved`). */
  status: Conversation['status'];
  assignee?: string | null;
  now: number;
}

export type FirstContact = { conversation: Conversation; opened: boolean } | { refused: string[] };

const REACHABLE: Conversation['status'][] = ['open', 'pending', 'snoozed', 'resolved'];

export async function reachContact(
  tx: StoreTx,
  req: FirstContactRequest,
  deps: FirstContactDeps,
): Promise<FirstContact> {
  const theirs = await tx.findConversationsOfContact(req.contact.id, { limit: 50 });
  const refused: string[] = [];
  for (const channel of await candidates(theirs, req, deps.settings)) {
    const open = theirs.find(
      (c) => c.touchpoint.channel === channel && c.touchpoint.visibility === 'private' && REACHABLE.includes(c.status),
    );
    const why = await refusal(tx, channel, open ?? null, req, deps);
    if (why) {
      refused.push(why);
      continue;
    }
    if (open) return { conversation: open, opened: false };
    const opened = await openOn(tx, channel, req, deps);
    if (opened) return { conversation: opened, opened: true };
    refused.push(`${channel}: no identity of the contact that ${channel} can reach (or the channel is not enabled)`);
  }
  if (refused.length === 0)
    refused.push('no channel to try: list channels under firstContact.channels in contacts.yaml');
  return { refused };
}

/** The asked channel; else the last channel the customer wrote on (when configured), then the configured order. */
async function candidates(
  theirs: Conversation[],
  req: FirstContactRequest,
  s: FirstContactSettings,
): Promise<string[]> {
  if (req.channel) return [req.channel];
  const wrote = theirs
    .filter((c) => c.lastInboundAt !== null && c.touchpoint.visibility === 'private')
    .sort((a, b) => (b.lastInboundAt ?? 0) - (a.lastInboundAt ?? 0));
  const last = s.lastActive && wrote[0] ? [wrote[0].touchpoint.channel] : [];
  return [...new Set([...last, ...s.channels])];
}

/** Why a channel cannot take this first message, or null when it can. */
async function refusal(
  tx: StoreTx,
  channel: string,
  open: Conversation | null,
  req: FirstContactRequest,
  deps: FirstContactDeps,
): Promise<string | null> {
  if (optedOut(req.contact, channel)) return `${channel}: the contact opted out of ${channel}`;
  const wroteHere = open !== null && open.lastInboundAt !== null;
  if (!wroteHere && consentChannels(deps.settings.consentRequired).has(channel)) {
    if (!(await consentOnFile(tx, req.contact.id, channel)))
      return `${channel}: no recorded consent to write first on ${channel}`;
  }
  const hours = deps.windowHoursOf(channel);
  const inWindow = wroteHere && req.now - (open?.lastInboundAt ?? 0) <= (hours ?? 0) * 3_600_000;
  if (hours !== null && !inWindow && !req.templated)
    return `${channel}: outside the ${hours}-hour reply window only an approved template may go (name a template with a whatsapp: { contentSid })`;
  return null;
}

async function openOn(
  tx: StoreTx,
  channel: string,
  req: FirstContactRequest,
  deps: FirstContactDeps,
): Promise<Conversation | null> {
  if (!deps.startThread) return null;
  for (const identity of await tx.listIdentities(req.contact.id)) {
    const started = deps.startThread(channel, { to: { kind: identity.kind, value: identity.value } });
    if (!started) continue;
    return tx.createConversation(
      newConversation(req.contact.id, started.touchpoint, started.threadKey, {
        status: req.status,
        assignee: req.assignee ?? null,
        replyRef: started.replyRef,
      }),
      req.now,
    );
  }
  return null;
}
