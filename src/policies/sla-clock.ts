import { parseDuration } from '../duration.ts';
import type { Conversation, Priority, SlaState } from '../model/types.ts';
import type { SlaPolicy } from '../settings/policy-schema.ts';
import { selectPolicy } from '../settings/sla-select.ts';
import type { NewTimer } from '../store/contract.ts';
import type { PolicyKit } from './kit.ts';

/**
 * SLA clocks as plain data: which policy applies, when each clock falls due
 * (in business time unless the policy says `always`), and the warning and
 * breach timers of a due instant. Timers carry the due instant they were set
 * for; one that no longer matches the conversation is stale and does nothing.
 */

export type SlaClockName = 'firstResponse' | 'nextResponse' | 'resolution';
export const CLOCKS: SlaClockName[] = ['firstResponse', 'nextResponse', 'resolution'];

export const DUE_FIELD = {
  firstResponse: 'firstResponseDue',
  nextResponse: 'nextResponseDue',
  resolution: 'resolutionDue',
} as const satisfies Record<SlaClockName, keyof SlaState>;

export const CLOCK_LABEL: Record<SlaClockName, string> = {
  firstResponse: 'first response',
  nextResponse: 'next response',
  resolution: 'resolution',
};

export const WARNING_TIMER = 'sla.warning';
export const BREACH_TIMER = 'sla.breach';
export const ESCALATE_TIMER = 'sla.escalate';

export const rank: Record<Priority, number> = { low: 0, normal: 1, high: 2, urgent: 3 };

export function policyFor(kit: PolicyKit, conversation: Conversation, vip: boolean): SlaPolicy | null {
  return selectPolicy(kit.policies.sla, {
    channel: conversation.touchpoint.channel,
    priority: conversation.priority,
    vip,
  });
}

/** `ms` of the policy's time after `from`; around the clock when the calendar never opens. */
export function addTime(kit: PolicyKit, policy: SlaPolicy, channel: string, from: number, ms: number): number {
  if (policy.hours === 'always') return from + ms;
  return kit.calendar.addBusinessMs(from, ms, channel) ?? from + ms;
}

export function timeBetween(kit: PolicyKit, policy: SlaPolicy, channel: string, a: number, b: number): number {
  return policy.hours === 'always' ? b - a : kit.calendar.businessMsBetween(a, b, channel);
}

export function targetMs(policy: SlaPolicy, clock: SlaClockName): number | null {
  const t = policy[clock];
  return t === undefined ? null : parseDuration(t);
}

export const clockKey = (conversationId: string, clock: SlaClockName, what: 'warning' | 'breach' | 'escalate') =>
  `sla:${clock}:${conversationId}:${what}`;

/** The warning and breach timers of a clock due at `due`, counted from `now`. */
export function clockTimers(
  kit: PolicyKit,
  policy: SlaPolicy,
  conversation: Conversation,
  clock: SlaClockName,
  due: number,
  now: number,
): NewTimer[] {
  const channel = conversation.touchpoint.channel;
  const budget = Math.max(0, timeBetween(kit, policy, channel, now, due));
  const warnAt = addTime(
    kit,
    policy,
    channel,
    now,
    Math.max(0, budget - parseDuration(kit.policies.sla.warning.before)),
  );
  const payload = { clock, due };
  const id = conversation.id;
  return [
    {
      kind: WARNING_TIMER,
      conversationId: id,
      dueAt: Math.min(warnAt, due),
      key: clockKey(id, clock, 'warning'),
      payload,
    },
    { kind: BREACH_TIMER, conversationId: id, dueAt: due, key: clockKey(id, clock, 'breach'), payload },
  ];
}

/**
 * Whether the clock a timer was set for still runs: the due instant is
 * unchanged, the conversation is not resolved, and the clock is neither met
 * nor paused (an agent answered and the conversation waits on the customer).
 */
export function clockRunning(conversation: Conversation, clock: SlaClockName, due: number): boolean {
  const sla = conversation.sla;
  if (sla[DUE_FIELD[clock]] !== due) return false;
  if (conversation.status === 'resolved' || conversation.status === 'closed' || conversation.status === 'pending')
    return false;
  if (clock === 'firstResponse') return !sla.firstRespondedAt;
  if (clock === 'resolution') return sla.pausedAt == null;
  return true;
}
