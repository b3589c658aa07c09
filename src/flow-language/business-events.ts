import { contactForEvent } from '../contacts/event-contact.ts';
import { attributesFromEvent, refreshVip } from '../contacts/vip.ts';
import {
  loadForDecision,
  newDecision,
  reachableConversations,
  type WriteDeps,
  type Written,
  writeDecision,
} from '../decide/write-decision.ts';
import { HttpError, notFound } from '../errors.ts';
import type { Contact, Conversation, IdentityRef } from '../model/types.ts';
import { type FirstContactDeps, reachContact } from '../outbound/first-contact.ts';
import type { Settings } from '../settings/types.ts';
import type { StoreTx } from '../store/contract.ts';
import { flowsForEvent } from './flow-match.ts';
import { activate, commit, startFlow } from './flow-runner.ts';
import type { Vars } from './flow-state.ts';
import { flattenInto, timeFormatOf } from './flow-vars.ts';
import { endRun } from './run-control.ts';

/**
 * A business event (`purchase.completed`, `booking.created` …) for a contact:
 * it ends the runs that wait with `cancelOnEvents` naming it, and starts the
 * flows whose trigger lists it, in the contact's most recently active private conversation
 * (or the one named). Its data is available to those flows as {event.*}.
 */

export interface BusinessEvent {
  /** The sender's id for this event: a redelivery with the same id is not handled twice. */
  id?: string | undefined;
  type: string;
  /** Who it is about: identities the business knows (checked, normalised), the first the most specific. */
  identities: IdentityRef[];
  /** The customer's name, kept on a contact that has none. */
  name?: string | undefined;
  /** Reach them on this channel (a conversation there, or a new one). */
  channel?: string | undefined;
  /** Channels the customer agreed to messages on (recorded as consent). */
  consent?: string[] | undefined;
  conversationId?: string | undefined;
  data: Record<string, unknown>;
}

/** Identity kinds a business event may create a contact from: ones a channel can write to first. */
const CREATING_KINDS = ['email', 'phone', 'whatsapp'];

export interface EventResult {
  duplicate: boolean;
  contactId: string;
  conversationId: string;
  started: string[];
  cancelled: string[];
}

const usable = (c: Conversation | null): c is Conversation => c !== null && c.status !== 'closed';

async function targetConversation(
  tx: StoreTx,
  contact: Contact,
  event: BusinessEvent,
  deps: { firstContact?: FirstContactDeps | undefined; now: number },
): Promise<Conversation> {
  const named = event.conversationId;
  if (named !== undefined) {
    const c = await tx.getConversation(named);
    if (!c || c.contactId !== contact.id) throw notFound(`contact ${contact.id} has no conversation ${named}`);
    if (!usable(c)) throw new HttpError(409, 'conversation_closed', `conversation ${named} is closed`);
    return c;
  }
  const [latest] = event.channel ? [] : await reachableConversations(tx, contact.id);
  if (latest) return latest;
  if (deps.firstContact) {
    // A channel the event names is taken even with its reply window closed: each message then goes as its
    // approved template or is refused by the outbound chain. Chosen by the rules, such a channel is passed over.
    const templated = event.channel !== undefined;
    const reached = await reachContact(
      tx,
      { contact, channel: event.channel, templated, status: 'resolved', now: deps.now },
      deps.firstContact,
    );
    if ('conversation' in reached) return reached.conversation;
    throw new HttpError(409, 'unreachable', `no channel can reach this contact now: ${reached.refused.join('; ')}`);
  }
  throw new HttpError(
    409,
    'no_conversation',
    'this contact has no open private conversation to reach them on yet; flows start once they have written to us on a private channel',
  );
}

export async function routeBusinessEvent(
  tx: StoreTx,
  event: BusinessEvent,
  deps: WriteDeps & { settings: Settings; now: number; firstContact?: FirstContactDeps | undefined },
): Promise<{ result: EventResult; written: Written | null }> {
  const contact = await eventContact(tx, event, deps.settings, deps.now);
  // before the channel is chosen: consent given with the event counts for it
  await recordConsent(tx, contact.id, event, deps.now);
  const target = await targetConversation(tx, contact, event, deps);
  const loaded = await loadForDecision(tx, target.id);
  if (!loaded) throw notFound(`conversation ${target.id} disappeared`);
  const ctx = newDecision(deps.settings, deps.now, loaded.conversation, loaded.contact);
  const act = activate(ctx);
  const result: EventResult = {
    duplicate: false,
    contactId: contact.id,
    conversationId: target.id,
    started: [],
    cancelled: [],
  };
  if (event.id !== undefined) {
    if (act.state.seenEvents.includes(event.id)) return { result: { ...result, duplicate: true }, written: null };
    act.state.seenEvents.push(event.id);
    act.dirty = true;
  }
  // once per event (a redelivery returned above): lifetime spend and the like, which VIP may follow
  const fed = attributesFromEvent(deps.settings.contacts.fromEvents, event.type, event.data, loaded.contact.attributes);
  if (fed) ctx.contactPatch.attributes = fed;
  for (const run of act.state.runs) {
    if (run.parked.cancelOnEvents?.includes(event.type)) {
      endRun(act, run, 'cancelled');
      result.cancelled.push(run.flow);
    }
  }
  const vars: Vars = {};
  flattenInto(
    vars,
    { ...event.data, type: event.type, ...(event.id ? { id: event.id } : {}) },
    'event',
    timeFormatOf(ctx),
  );
  for (const flow of flowsForEvent(deps.settings.flows, event.type)) {
    startFlow(act, flow, vars, { replace: false });
    result.started.push(flow.id);
  }
  commit(act);
  return { result, written: await writeDecision(tx, ctx, deps) };
}

/** The contact named, or created from an email or number the business gave; 404 when only an unknown id on a channel is known. */
async function eventContact(tx: StoreTx, event: BusinessEvent, settings: Settings, now: number): Promise<Contact> {
  if (!event.identities.some((i) => CREATING_KINDS.includes(i.kind))) {
    for (const identity of event.identities) {
      const found = await tx.findContactByIdentity(identity);
      if (found) return found;
    }
    throw notFound(`no contact with the ${event.identities[0]?.kind ?? 'given'} identity given`);
  }
  const { contact } = await contactForEvent(
    tx,
    { identities: event.identities, name: event.name },
    { type: event.type, now },
  );
  return refreshVip(tx, contact, settings.contacts.vip, { now, cause: `event ${event.type}` });
}

/** Consent the business collected (at checkout, on a form) is recorded once per channel, with the event as its source. */
async function recordConsent(tx: StoreTx, contactId: string, event: BusinessEvent, now: number): Promise<void> {
  if (!event.consent?.length) return;
  const history = await tx.contactHistory(contactId, ['consent']);
  for (const channel of new Set(event.consent)) {
    if (history.filter((c) => c.channel === channel).at(-1)?.on === true) continue;
    await tx.recordContactChange({
      contactId,
      kind: 'consent',
      channel,
      on: true,
      source: `event ${event.type}`,
      at: now,
    });
  }
}
