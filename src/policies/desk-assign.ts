import type { Actor } from '../access/audit.ts';
import { audit } from '../access/audit.ts';
import { type RouteStep, tap } from '../decide/context.ts';
import type { Contact, Conversation } from '../model/types.ts';
import { createShifts, type Shifts } from '../people/shifts.ts';
import type { DeskSettings } from '../settings/desk-schema.ts';
import type { StoreTx } from '../store/contract.ts';
import type { TimerHandler } from '../timers/handlers.ts';
import { acknowledgeWait } from './desk-ack.ts';
import { tierUp } from './desk-tiers.ts';
import type { PolicyKit } from './kit.ts';
import { loadLocked } from './oncall.ts';
import { note } from './staff.ts';

/**
 * Assignment by the rules of desk.yaml. A handoff schedules `desk.assign` due
 * at once, so the choice runs in a transaction of its own, durably, right
 * after the decision commits: the agents on shift whose skills fit
 * (category, the customer's language, the channel) and who are under their
 * cap; the one with the fewest open conversations, or the next in turn. The
 * chosen agent's shift end is a `desk.shift-end` timer: if the conversation
 * is still theirs and open then, it goes to someone on shift (or back to the
 * queue, with a note). Every assignment is an audit entry.
 */

export const ASSIGN_TIMER = 'desk.assign';
export const SHIFT_END_TIMER = 'desk.shift-end';
export const assignKey = (conversationId: string) => `desk-assign:${conversationId}`;
const shiftKey = (conversationId: string) => `desk-shift:${conversationId}`;
/** With agents on shift but all at their cap, look again this often. */
const RETRY_MS = 10 * 60_000;

/** The audit log's actor for what the rules decide. */
export const RULES: Actor = { agentId: 'assignment', name: 'the assignment rules', role: 'system', via: 'desk' };

type Assignment = NonNullable<DeskSettings['assignment']>;
const live = (c: Conversation) => c.status === 'open' || c.status === 'pending' || c.status === 'snoozed';

/** After a decision: the tier (desk-tiers.ts); after a handoff to a person, assignment and the acknowledgement, at once. */
export function deskStep(kit: PolicyKit): RouteStep {
  return tap((ctx) => {
    tierUp(kit, ctx);
    const desk = kit.policies.desk;
    if (!desk.assignment && !desk.acknowledge) return;
    if (!ctx.events.some((e) => e.type === 'handoff')) return;
    ctx.timers.push({ kind: ASSIGN_TIMER, dueAt: ctx.now, key: assignKey(ctx.conversation.id), payload: {} });
  });
}

const fits = (list: string[], value: string | null) => list.length === 0 || (value !== null && list.includes(value));

/** The agent the rules choose now, or why none: nobody on shift, or everybody on shift at their cap. */
export async function chooseAgent(
  tx: StoreTx,
  a: Assignment,
  shifts: Shifts,
  c: Conversation,
  contact: Contact,
  now: number,
  exclude: string | null = null,
): Promise<{ agent: string } | { none: 'off-shift' | 'full' }> {
  const onShift = shifts.agents.filter((id) => {
    const s = a.agents[id]?.skills;
    return (
      id !== exclude &&
      shifts.onShift(id, now) &&
      s !== undefined &&
      fits(s.categories, c.category) &&
      fits(s.languages, contact.language) &&
      fits(s.channels, c.touchpoint.channel)
    );
  });
  if (onShift.length === 0) return { none: 'off-shift' };
  const open = await tx.openCounts(onShift);
  const room = onShift.filter((id) => (open.get(id) ?? 0) < (a.agents[id]?.cap ?? a.cap));
  if (room.length === 0) return { none: 'full' };
  if (a.strategy === 'least-open') {
    const fewest = Math.min(...room.map((id) => open.get(id) ?? 0));
    return { agent: room.find((id) => (open.get(id) ?? 0) === fewest) as string };
  }
  // in turn: the one the rules assigned longest ago (never assigned comes first, in config order)
  const recent = await tx.listAudit({ actorId: RULES.agentId, action: 'assign', limit: 500 });
  const lastAt = (id: string) => recent.find((e) => e.detail.assignee === id)?.at ?? -1;
  return { agent: room.reduce((best, id) => (lastAt(id) < lastAt(best) ? id : best)) };
}

async function assignTo(
  tx: StoreTx,
  kit: PolicyKit,
  shifts: Shifts,
  c: Conversation,
  agent: string | null,
  why: string,
  now: number,
): Promise<void> {
  await tx.updateConversation(c.id, { assignee: agent }, now);
  await audit(tx, RULES, 'assign', { conversationId: c.id, contactId: c.contactId }, { assignee: agent, why }, now);
  if (agent === null) return;
  const until = shifts.shiftEnd(agent, now);
  const name = kit.policies.desk.assignment?.agents[agent]?.name ?? agent;
  await note(tx, c.id, `Assigned to ${name} (${why}).`, now);
  if (until !== null)
    await tx.scheduleTimer(
      { kind: SHIFT_END_TIMER, conversationId: c.id, dueAt: until, key: shiftKey(c.id), payload: { agent } },
      now,
    );
}

async function loadWithContact(tx: StoreTx, id: string | null) {
  const c = await loadLocked(tx, id);
  const contact = c ? await tx.getContact(c.contactId) : null;
  return c && contact ? { c, contact } : null;
}

export function createDeskTimerHandlers(kit: PolicyKit): Record<string, TimerHandler> {
  const a = kit.policies.desk.assignment;
  const shifts = a ? createShifts(a, kit.settings.business) : null;
  const why = (w: string) => `${a?.strategy ?? 'least-open'}, ${w}`;

  return {
    [ASSIGN_TIMER]: async (timer, tx) => {
      const now = kit.clock.now();
      const found = await loadWithContact(tx, timer.conversationId);
      if (!found || !live(found.c)) return;
      const { c, contact } = found;
      let answerable = false;
      if (a && shifts && c.assignee === null) {
        const chosen = await chooseAgent(tx, a, shifts, c, contact, now);
        if ('agent' in chosen) {
          await assignTo(tx, kit, shifts, c, chosen.agent, why('on shift'), now);
          answerable = true;
        } else {
          if (timer.payload.waiting !== chosen.none)
            await note(
              tx,
              c.id,
              chosen.none === 'full'
                ? 'Not assigned: every agent on shift who fits is at their cap.'
                : 'Not assigned: no agent who fits is on shift.',
              now,
            );
          await retryAssign(tx, shifts, c.id, chosen.none, now);
        }
      } else if (c.assignee !== null && shifts?.onShift(c.assignee, now)) answerable = true;
      await acknowledgeWait(tx, kit, c, contact, { answerable, now });
    },
    [SHIFT_END_TIMER]: async (timer, tx) => {
      if (!a || !shifts) return;
      const now = kit.clock.now();
      const found = await loadWithContact(tx, timer.conversationId);
      const agent = typeof timer.payload.agent === 'string' ? timer.payload.agent : null;
      if (!found || !live(found.c) || agent === null || found.c.assignee !== agent) return;
      const { c, contact } = found;
      if (shifts.onShift(agent, now)) {
        // the shifts changed since (a reload): follow the new end
        const until = shifts.shiftEnd(agent, now);
        if (until !== null)
          await tx.scheduleTimer(
            { kind: SHIFT_END_TIMER, conversationId: c.id, dueAt: until, key: shiftKey(c.id), payload: { agent } },
            now,
          );
        return;
      }
      const name = a.agents[agent]?.name ?? agent;
      const chosen = await chooseAgent(tx, a, shifts, c, contact, now, agent);
      if ('agent' in chosen) return assignTo(tx, kit, shifts, c, chosen.agent, why(`${name} went off shift`), now);
      await assignTo(tx, kit, shifts, c, null, `${name} went off shift`, now);
      await note(
        tx,
        c.id,
        `${name} went off shift with this open: back in the queue until an agent who fits is on.`,
        now,
      );
      await retryAssign(tx, shifts, c.id, chosen.none, now);
    },
  };
}

/** Nobody fits now: look again shortly when everyone is at their cap, else when the next shift starts. */
async function retryAssign(
  tx: StoreTx,
  shifts: Shifts,
  conversationId: string,
  waiting: 'full' | 'off-shift',
  now: number,
): Promise<void> {
  const dueAt = waiting === 'full' ? now + RETRY_MS : shifts.nextStart(now);
  if (dueAt === null) return;
  await tx.scheduleTimer(
    { kind: ASSIGN_TIMER, conversationId, dueAt, key: assignKey(conversationId), payload: { waiting } },
    now,
  );
}
