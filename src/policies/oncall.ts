import { parseDuration } from '../duration.ts';
import type { Conversation } from '../model/types.ts';
import { ACK_TIMER, ESCALATE_TIMER, PAGE_TIMER, pageKey } from '../people/paging.ts';
import type { StoreTx, Timer } from '../store/contract.ts';
import type { TimerHandler } from '../timers/handlers.ts';
import type { PolicyKit } from './kit.ts';
import { messageStaff, note } from './staff.ts';

/**
 * Paging on-call: the chain of oncall.yaml (the person on duty, then the next
 * …) is paged one at a time through their staff conversation; whoever replies
 * there, or an admin API call, acknowledges. Without an acknowledgement within
 * `ackTimeout` the next in the chain is paged. The incident is kept on the
 * customer's conversation (`flowState.oncall`); the pending escalation is one
 * keyed timer, which an acknowledgement cancels.
 */

export interface Incident {
  id: string;
  reason: string;
  /** The customer's words (or what breached), quoted in every page. */
  text: string;
  /** The opening that ends the closed period it started in; one incident per period. */
  window: number | null;
  startedAt: number;
  step: number;
  paged: string[];
  ackedBy: string | null;
  ackedAt: number | null;
  exhausted: boolean;
  /** A VIP customer's page: senior staff (oncall.yaml `vip`) come first, on every step of the escalation. */
  vip?: boolean;
}

export function incidentOf(conversation: Conversation): Incident | null {
  const i = conversation.flowState?.oncall;
  return i && typeof i === 'object' && typeof (i as Incident).id === 'string' ? (i as Incident) : null;
}

/** An incident still waiting for someone, or one acknowledged within the same closed period. */
export function pageInProgress(conversation: Conversation, window: number | null): boolean {
  const i = incidentOf(conversation);
  if (!i || i.exhausted) return false;
  return i.ackedBy === null || (window !== null && i.window === window);
}

async function save(tx: StoreTx, conversation: Conversation, incident: Incident, now: number): Promise<void> {
  await tx.updateConversation(conversation.id, { flowState: { ...conversation.flowState, oncall: incident } }, now);
}

/** The conversation, read again once its thread is locked, so routing and this timer never write over each other. */
export async function loadLocked(tx: StoreTx, id: string | null): Promise<Conversation | null> {
  const first = id ? await tx.getConversation(id) : null;
  if (!first) return null;
  await tx.lockThread(first.touchpoint.channel, first.threadKey);
  return tx.getConversation(first.id);
}

/** Pages the chain from `step` on: the first person who can be reached, skipping those who cannot. */
async function pageFrom(
  tx: StoreTx,
  kit: PolicyKit,
  conversation: Conversation,
  incident: Incident,
  step: number,
  now: number,
): Promise<void> {
  const chain = kit.roster.chain(incident.startedAt, incident.vip === true);
  const customer = await tx.getContact(conversation.contactId);
  for (let i = step; i < chain.length; i++) {
    const person = chain[i];
    if (!person) break;
    const text = kit.render(
      'oncall_page',
      { channel: person.channel },
      {
        name: person.name,
        customer: customer?.name ?? 'a customer',
        channel: conversation.touchpoint.channel,
        text: incident.text,
        reason: incident.reason,
      },
      'Urgent for {business} ({reason}): {customer} wrote on {channel}: "{text}". Reply to this message to take it.',
    );
    if (!(await messageStaff(tx, kit, person, text, now, conversation.id))) {
      await note(tx, conversation.id, `Could not page ${person.name}: ${person.channel} cannot reach them.`, now);
      continue;
    }
    const next = { ...incident, step: i, paged: [...new Set([...incident.paged, person.id])] };
    await save(tx, conversation, next, now);
    await note(tx, conversation.id, `Paged ${person.name} on ${person.channel} (${incident.reason}).`, now);
    await tx.scheduleTimer(
      {
        kind: ESCALATE_TIMER,
        conversationId: conversation.id,
        dueAt: now + parseDuration(kit.policies.oncall.ackTimeout),
        key: pageKey(conversation.id),
        payload: { incident: incident.id, step: i + 1 },
      },
      now,
    );
    return;
  }
  await save(tx, conversation, { ...incident, exhausted: true }, now);
  await note(tx, conversation.id, 'Nobody on the on-call chain acknowledged the page.', now);
  kit.log.error(
    { conversationId: conversation.id, incident: incident.id },
    'on-call chain exhausted without an acknowledgement',
  );
}

/** Starts paging for a conversation unless a page for it is already in progress. */
export async function startPage(
  tx: StoreTx,
  kit: PolicyKit,
  conversation: Conversation,
  input: { reason: string; text: string; window: number | null },
  now: number,
): Promise<void> {
  if (pageInProgress(conversation, input.window)) return;
  const customer = await tx.getContact(conversation.contactId);
  const incident: Incident = {
    id: `${conversation.id}:${now}`,
    ...input,
    startedAt: now,
    step: 0,
    paged: [],
    ackedBy: null,
    ackedAt: null,
    exhausted: false,
    vip: customer?.vip === true,
  };
  await pageFrom(tx, kit, conversation, incident, 0, now);
}

/** Records who took the page and stops the escalation. False when nothing was waiting. */
export async function acknowledge(
  tx: StoreTx,
  kit: PolicyKit,
  conversationId: string,
  by: string,
  now: number,
): Promise<boolean> {
  const conversation = await loadLocked(tx, conversationId);
  const incident = conversation ? incidentOf(conversation) : null;
  if (!conversation || !incident || incident.ackedBy !== null) return false;
  await tx.cancelTimerByKey(pageKey(conversationId));
  const name = kit.roster.get(by)?.name ?? by;
  await tx.updateConversation(
    conversationId,
    {
      flowState: { ...conversation.flowState, oncall: { ...incident, ackedBy: by, ackedAt: now } },
      ...(conversation.assignee ? {} : { assignee: by }),
    },
    now,
  );
  await note(tx, conversationId, `Page acknowledged by ${name}.`, now);
  return true;
}

export function createOncallTimerHandlers(kit: PolicyKit): Record<string, TimerHandler> {
  return {
    [PAGE_TIMER]: async (timer: Timer, tx: StoreTx) => {
      const conversation = await loadLocked(tx, timer.conversationId);
      if (!conversation) return;
      const p = timer.payload;
      await startPage(
        tx,
        kit,
        conversation,
        {
          reason: String(p.reason ?? 'urgent'),
          text: String(p.text ?? ''),
          window: typeof p.window === 'number' ? p.window : null,
        },
        kit.clock.now(),
      );
    },
    [ESCALATE_TIMER]: async (timer, tx) => {
      const conversation = await loadLocked(tx, timer.conversationId);
      const incident = conversation ? incidentOf(conversation) : null;
      if (!conversation || !incident || incident.id !== timer.payload.incident || incident.ackedBy !== null) return;
      await pageFrom(tx, kit, conversation, incident, Number(timer.payload.step), kit.clock.now());
    },
    [ACK_TIMER]: async (timer, tx) => {
      if (!timer.conversationId) return;
      await acknowledge(tx, kit, timer.conversationId, String(timer.payload.by), kit.clock.now());
    },
  };
}
