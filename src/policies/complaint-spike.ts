import { current, type RouteStep, tap } from '../decide/context.ts';
import { parseDuration } from '../duration.ts';
import type { StoreTx } from '../store/contract.ts';
import type { TimerHandler } from '../timers/handlers.ts';
import type { PolicyKit } from './kit.ts';
import { loadLocked, startPage } from './oncall.ts';
import { note } from './staff.ts';

/**
 * Complaint spikes (trends.yaml): each complaint on a public touchpoint asks
 * for one check (a keyed timer, so a burst asks once); the check compares the
 * complaints opened in the last hour with the average of the same hour in
 * each of the 4 weeks before. Above `multiple` times that (and `minimum`), the
 * latest complaint gets one internal note quoting the latest few, which the
 * desk is told of (the check is that conversation's timer), and the on-call chain is paged from it. Another alert waits
 * `quiet` (a keyed timer), however many more complaints come.
 */

export const SPIKE_CHECK = 'trends.spike-check';
export const SPIKE_QUIET = 'trends.spike-quiet';
const HOUR = 3_600_000;
const WEEK = 7 * 86_400_000;
const WEEKS = 4;

export function complaintSpikeStep(kit: PolicyKit): RouteStep {
  return tap((ctx) => {
    const t = kit.policies.trends;
    const c = current(ctx);
    if (!t.spike.enabled || c.touchpoint.visibility !== 'public') return;
    if (!t.complaints.some((label) => label === c.intent || label === c.category)) return;
    ctx.timers.push({ kind: SPIKE_CHECK, conversationId: ctx.conversation.id, dueAt: ctx.now, key: SPIKE_CHECK });
  });
}

export interface Spike {
  count: number;
  /** Complaints an hour, on average, at this hour of the week over the 4 weeks before. */
  baseline: number;
}

/** The last hour against its baseline; null while it is no spike. */
export async function measureSpike(tx: StoreTx, kit: PolicyKit, now: number): Promise<Spike | null> {
  const { complaints, spike } = kit.policies.trends;
  const { count } = await tx.publicComplaints(complaints, now - HOUR, now, 0);
  if (count < spike.minimum) return null;
  let earlier = 0;
  for (let w = 1; w <= WEEKS; w++)
    earlier += (await tx.publicComplaints(complaints, now - w * WEEK - HOUR, now - w * WEEK, 0)).count;
  const baseline = earlier / WEEKS;
  return count > spike.multiple * baseline ? { count, baseline } : null;
}

/** The alert goes on the complaint that asked for the check (the latest: a later one replaces the check). */
async function alert(tx: StoreTx, kit: PolicyKit, on: string | null, found: Spike, now: number): Promise<void> {
  const { complaints, spike } = kit.policies.trends;
  const { latest } = await tx.publicComplaints(complaints, now - HOUR, now, spike.examples);
  const conversation = await loadLocked(tx, on);
  if (!conversation) return;
  const summary =
    `${found.count} complaints on public touchpoints in the last hour, against ${Math.round(found.baseline * 100) / 100} an hour ` +
    `at this time over the past ${WEEKS} weeks (alert above ${spike.multiple}×)`;
  const examples = latest.map((e) => `- ${e.channel}: "${e.text}"`).join('\n');
  await note(tx, conversation.id, `Complaint spike: ${summary}. Latest:\n${examples}`, now);
  await startPage(tx, kit, conversation, { reason: 'complaint spike', text: summary, window: null }, now);
  await tx.scheduleTimer({ kind: SPIKE_QUIET, dueAt: now + parseDuration(spike.quiet), key: SPIKE_QUIET }, now);
  kit.log.warn({ conversationId: conversation.id, ...found }, 'complaint spike on public touchpoints');
}

export function createSpikeTimerHandlers(kit: PolicyKit): Record<string, TimerHandler> {
  return {
    [SPIKE_CHECK]: async (timer, tx) => {
      if (!kit.policies.trends.spike.enabled || (await tx.timerPending(SPIKE_QUIET))) return;
      const now = kit.clock.now();
      const found = await measureSpike(tx, kit, now);
      if (found) await alert(tx, kit, timer.conversationId, found, now);
    },
    // The quiet period ends: nothing to do but be gone.
    [SPIKE_QUIET]: async () => {},
  };
}
