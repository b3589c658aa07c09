import type { Clock } from '../clock.ts';
import { current, type RouteStep, tap } from '../decide/context.ts';
import type { Conversation } from '../model/types.ts';
import type { StoreTx } from '../store/contract.ts';
import { systemNote } from '../store/notes.ts';
import type { TimerHandler } from '../timers/handlers.ts';

/**
 * Snoozes: the conversation waits with status `snoozed`, its wake-up time in
 * `flowState.snooze`, and one keyed durable timer reopens it when due. A
 * customer message reopens it first (route-event sets `open`); the settle hook
 * here then cancels the timer. The timer checks the conversation anyway, so a
 * stale one never reopens a conversation snoozed again or resolved since.
 */

export const SNOOZE_TIMER = 'snooze.wake';
export const snoozeKey = (conversationId: string) => `snooze:${conversationId}`;
/** Snoozes longer than this are refused: a year is already a decision to resolve. */
export const MAX_SNOOZE_MS = 366 * 86_400_000;

export interface SnoozeState {
  until: number;
  by: string;
}

export function snoozeOf(c: Pick<Conversation, 'flowState'>): SnoozeState | null {
  const s = c.flowState?.snooze as Partial<SnoozeState> | undefined;
  return s && typeof s.until === 'number' && typeof s.by === 'string' ? { until: s.until, by: s.by } : null;
}

export function withoutSnooze(state: Record<string, unknown> | null): Record<string, unknown> | null {
  if (!state || !('snooze' in state)) return state;
  const { snooze: _snooze, ...rest } = state;
  return rest;
}

/** Cancels a pending wake-up and forgets the snooze (reopen, resolve, a customer message). */
export async function endSnooze(tx: StoreTx, c: Conversation): Promise<Record<string, unknown> | null> {
  await tx.cancelTimerByKey(snoozeKey(c.id));
  return withoutSnooze(c.flowState);
}

/** After the decision: a customer wrote to a snoozed conversation, which is open again now: no wake-up is needed. */
export const wakeOnCustomerStep: RouteStep = tap((ctx) => {
  if (ctx.conversation.status !== 'snoozed') return;
  ctx.cancelTimers.push(snoozeKey(ctx.conversation.id));
  ctx.patch.flowState = withoutSnooze(current(ctx).flowState);
});

export function createSnoozeTimerHandlers(o: { clock: Clock }): Record<string, TimerHandler> {
  return {
    [SNOOZE_TIMER]: async (timer, tx) => {
      if (!timer.conversationId) return;
      const found = await tx.getConversation(timer.conversationId);
      if (!found) return;
      await tx.lockThread(found.touchpoint.channel, found.threadKey);
      const c = (await tx.getConversation(found.id)) ?? found;
      const snooze = snoozeOf(c);
      if (c.status !== 'snoozed' || !snooze || snooze.until !== timer.payload.until) return;
      const now = o.clock.now();
      await tx.updateConversation(c.id, { status: 'open', flowState: withoutSnooze(c.flowState) }, now);
      await systemNote(tx, c.id, `Snooze ended (set by ${snooze.by}): open again.`, now);
    },
  };
}
