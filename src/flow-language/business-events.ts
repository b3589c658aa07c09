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
  contact: IdentityRef;
  conversationId?: string | undefined;
  data: Record<string, unknown>;
}

export interface EventResult {
  duplicate: boolean;
  contactId: string;
  conversationId: string;
  started: string[];
  cancelled: string[];
}

const usable = (c: Conversation | null): c is Conversation => c !== null && c.status !== 'closed';

async function targetConversation(tx: StoreTx, contact: Contact, named: string | undefined): Promise<Conversation> {
  if (named !== undefined) {
    const c = await tx.getConversation(named);
    if (!c || c.contactId !== contact.id) throw notFound(`contact ${contact.id} has no conversation ${named}`);
    if (!usable(c)) throw new HttpError(409, 'conversation_closed', `conversation ${named} is closed`);
    return c;
  }
  const [latest] = await reachableConversations(tx, contact.id);
  if (latest) return latest;
  throw new HttpError(
    409,
    'no_conversation',
    'this contact has no open private conversation to reach them on yet; flows start once they have written to us on a private channel',
  );
}

export async function routeBusinessEvent(
  tx: StoreTx,
  event: BusinessEvent,
  deps: WriteDeps & { settings: Settings; now: number },
): Promise<{ result: EventResult; written: Written | null }> {
  const contact = await tx.findContactByIdentity(event.contact);
  if (!contact) throw notFound(`no contact with the ${event.contact.kind} identity given`);
  const target = await targetConversation(tx, contact, event.conversationId);
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
