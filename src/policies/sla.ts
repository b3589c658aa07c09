import { current, type RouteStep, tap } from '../decide/context.ts';
import { parseDuration } from '../duration.ts';
import type { Conversation, SlaState } from '../model/types.ts';
import type { StoreTx, Timer } from '../store/contract.ts';
import type { TimerHandler } from '../timers/handlers.ts';
import { isMovedOrMoving } from './handoff-rules.ts';
import { type PolicyKit, staffIdOf } from './kit.ts';
import { loadLocked, startPage } from './oncall.ts';
import {
  addTime,
  BREACH_TIMER,
  CLOCK_LABEL,
  CLOCKS,
  clockKey,
  clockRunning,
  clockTimers,
  DUE_FIELD,
  ESCALATE_TIMER,
  policyFor,
  rank,
  type SlaClockName,
  targetMs,
  timeBetween,
  WARNING_TIMER,
} from './sla-clock.ts';
import { messageStaff, note } from './staff.ts';

/**
 * SLA clocks per conversation (sla.yaml): set on each customer message by a
 * settle hook (after the flows, so it sees the final priority), warned about,
 * breached and escalated by timers. First response and next response are met
 * by an agent's reply; resolution pauses while the conversation waits on the
 * customer (status `pending`) and resumes with the time it had left.
 */

export function slaStep(kit: PolicyKit): RouteStep {
  return tap((ctx) => {
    const cfg = kit.policies.sla;
    const flags = ctx.envelope.flags ?? {};
    if (cfg.policies.length === 0 || staffIdOf(ctx.contact) || flags.autoReply || flags.bounce) return;
    if (isMovedOrMoving(current(ctx))) return;
    if (ctx.contact.vip && rank[cfg.vip.priority] > rank[current(ctx).priority]) ctx.patch.priority = cfg.vip.priority;
    const conv = current(ctx);
    const policy = policyFor(kit, conv, ctx.contact.vip);
    if (!policy) return;
    const { now } = ctx;
    const channel = conv.touchpoint.channel;
    const sla: SlaState = { ...conv.sla };
    const waited = ctx.conversation.status === 'pending';
    const set: SlaClockName[] = [];

    const first = targetMs(policy, 'firstResponse');
    if (first !== null && !sla.firstRespondedAt) {
      // a rise in priority can bring the due time forward, counted from the conversation's start
      const due = Math.max(now, addTime(kit, policy, channel, ctx.conversation.createdAt, first));
      if (sla.firstResponseDue == null || due < sla.firstResponseDue) {
        sla.firstResponseDue = due;
        set.push('firstResponse');
      }
    }
    const next = targetMs(policy, 'nextResponse');
    if (next !== null && sla.firstRespondedAt && (waited || sla.nextResponseDue == null)) {
      sla.nextResponseDue = addTime(kit, policy, channel, now, next);
      set.push('nextResponse');
    }
    const resolution = targetMs(policy, 'resolution');
    if (resolution !== null) {
      if (sla.resolutionDue == null) {
        sla.resolutionDue = addTime(kit, policy, channel, now, resolution);
        set.push('resolution');
      } else if (sla.pausedAt != null || waited) {
        const from = sla.pausedAt ?? ctx.conversation.updatedAt;
        const left = Math.max(0, timeBetween(kit, policy, channel, from, sla.resolutionDue));
        sla.resolutionDue = addTime(kit, policy, channel, now, left);
        sla.pausedAt = null;
        set.push('resolution');
      }
    }
    if (set.length === 0) return;
    ctx.patch.sla = sla;
    const withSla = { ...conv, sla };
    for (const clock of set)
      ctx.timers.push(...clockTimers(kit, policy, withSla, clock, sla[DUE_FIELD[clock]] as number, now));
  });
}

/** Stops every clock of a conversation: it was resolved, or moved to a private one. */
export async function stopClocks(
  tx: StoreTx,
  conversation: Conversation,
  now: number,
  keep: Partial<SlaState> = {},
): Promise<void> {
  await tx.cancelTimers(conversation.id, 'sla.');
  const { firstRespondedAt } = conversation.sla;
  await tx.updateConversation(
    conversation.id,
    { sla: { ...(firstRespondedAt ? { firstRespondedAt } : {}), ...keep } },
    now,
  );
}

/** An agent answered: the response clocks are met and resolution waits on the customer. */
export async function agentAnswered(tx: StoreTx, conversation: Conversation, at: number): Promise<void> {
  for (const clock of CLOCKS) {
    await tx.cancelTimerByKey(clockKey(conversation.id, clock, 'warning'));
    await tx.cancelTimerByKey(clockKey(conversation.id, clock, 'breach'));
  }
  const waiting = conversation.status === 'pending';
  const sla = { ...conversation.sla, nextResponseDue: null, ...(waiting ? { pausedAt: at } : {}) };
  await tx.updateConversation(conversation.id, { sla }, at);
}

const when = (kit: PolicyKit, at: number) =>
  new Intl.DateTimeFormat('en-GB', {
    timeZone: kit.settings.business.timezone,
    weekday: 'short',
    hour: '2-digit',
    minute: '2-digit',
  }).format(at);

interface Fired {
  conversation: Conversation;
  clock: SlaClockName;
  due: number;
}

/** The conversation of an SLA timer whose clock still runs, else null (met, paused, stale). */
async function firing(tx: StoreTx, timer: Timer, now: number): Promise<Fired | null> {
  const conversation = await loadLocked(tx, timer.conversationId);
  const clock = timer.payload.clock as SlaClockName;
  const due = Number(timer.payload.due);
  if (!conversation || !CLOCKS.includes(clock)) return null;
  if (clock === 'resolution' && conversation.status === 'pending' && conversation.sla.pausedAt == null) {
    // an agent answered without the SLA wrapper: the wait began when the conversation last changed
    await tx.updateConversation(
      conversation.id,
      { sla: { ...conversation.sla, pausedAt: Math.min(conversation.updatedAt, now) } },
      now,
    );
    return null;
  }
  return clockRunning(conversation, clock, due) ? { conversation, clock, due } : null;
}

async function tag(tx: StoreTx, c: Conversation, t: string, now: number): Promise<void> {
  if (!c.tags.includes(t)) await tx.updateConversation(c.id, { tags: [...c.tags, t] }, now);
}

async function tellStaff(
  tx: StoreTx,
  kit: PolicyKit,
  f: Fired,
  refs: string[],
  template: string,
  fallback: string,
  now: number,
) {
  const customer = await tx.getContact(f.conversation.contactId);
  for (const ref of refs) {
    const person = kit.roster.resolve(ref, now);
    if (!person) continue;
    const vars = {
      name: person.name,
      customer: customer?.name ?? 'a customer',
      channel: f.conversation.touchpoint.channel,
      clock: CLOCK_LABEL[f.clock],
      due: when(kit, f.due),
    };
    const sent = await messageStaff(
      tx,
      kit,
      person,
      kit.render(template, { channel: person.channel }, vars, fallback),
      now,
    );
    await note(
      tx,
      f.conversation.id,
      sent
        ? `Told ${person.name} (${CLOCK_LABEL[f.clock]} SLA).`
        : `Could not reach ${person.name} on ${person.channel}.`,
      now,
    );
  }
}

/** Runs the escalation steps from `from` on: those due now at once, then schedules the first that lies ahead. */
async function escalate(tx: StoreTx, kit: PolicyKit, f: Fired, from: number, now: number): Promise<void> {
  const steps = kit.policies.sla.escalation;
  const customer = await tx.getContact(f.conversation.contactId);
  const policy = policyFor(kit, f.conversation, customer?.vip ?? false);
  const channel = f.conversation.touchpoint.channel;
  for (let i = from; i < steps.length; i++) {
    const step = steps[i];
    if (!step) break;
    const after = parseDuration(step.after);
    const at = policy ? addTime(kit, policy, channel, now, after) : now + after;
    if (at > now) {
      const key = clockKey(f.conversation.id, f.clock, 'escalate');
      const payload = { clock: f.clock, due: f.due, step: i };
      await tx.scheduleTimer({ kind: ESCALATE_TIMER, conversationId: f.conversation.id, dueAt: at, key, payload }, now);
      return;
    }
    await runStep(tx, kit, f, i, now);
  }
}

async function runStep(tx: StoreTx, kit: PolicyKit, f: Fired, index: number, now: number): Promise<void> {
  const step = kit.policies.sla.escalation[index];
  if (!step) return;
  const label = CLOCK_LABEL[f.clock];
  if (step.action === 'notify') {
    const fallback = 'SLA breached at {business}: the {clock} for {customer} on {channel} was due {due}.';
    return tellStaff(tx, kit, f, step.to, 'sla_breach', fallback, now);
  }
  if (step.action === 'reassign') {
    const person = kit.roster.resolve(step.to[0] ?? '', now);
    if (!person) return note(tx, f.conversation.id, `SLA escalation: nobody to reassign to (${step.to[0]}).`, now);
    await tx.updateConversation(f.conversation.id, { assignee: person.id }, now);
    await note(tx, f.conversation.id, `SLA escalation: reassigned to ${person.name} (${label} overdue).`, now);
    const fallback = 'Over to you, {name}: {customer} on {channel} is waiting; the {clock} was due {due}.';
    return tellStaff(tx, kit, f, [person.id], 'sla_reassigned', fallback, now);
  }
  const text = `the ${label} was due ${when(kit, f.due)}`;
  await startPage(tx, kit, f.conversation, { reason: `SLA breach: ${label}`, text, window: null }, now);
}

export function createSlaTimerHandlers(kit: PolicyKit): Record<string, TimerHandler> {
  return {
    [WARNING_TIMER]: async (timer, tx) => {
      const now = kit.clock.now();
      const f = await firing(tx, timer, now);
      if (!f) return;
      await tag(tx, f.conversation, 'sla-warning', now);
      await note(tx, f.conversation.id, `SLA warning: the ${CLOCK_LABEL[f.clock]} is due ${when(kit, f.due)}.`, now);
      const fallback = 'SLA warning at {business}: the {clock} for {customer} on {channel} is due {due}.';
      await tellStaff(tx, kit, f, kit.policies.sla.warning.notify, 'sla_warning', fallback, now);
    },
    [BREACH_TIMER]: async (timer, tx) => {
      const now = kit.clock.now();
      const f = await firing(tx, timer, now);
      if (!f) return;
      await tag(tx, f.conversation, 'sla-breached', now);
      await note(tx, f.conversation.id, `SLA breached: the ${CLOCK_LABEL[f.clock]} was due ${when(kit, f.due)}.`, now);
      await escalate(tx, kit, f, 0, now);
    },
    [ESCALATE_TIMER]: async (timer, tx) => {
      const now = kit.clock.now();
      const f = await firing(tx, timer, now);
      if (!f) return;
      const step = Number(timer.payload.step);
      await runStep(tx, kit, f, step, now);
      await escalate(tx, kit, f, step + 1, now);
    },
  };
}
