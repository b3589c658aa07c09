import { scoredValue, verdict } from '../metrics/format.ts';
import { buildReport } from '../metrics/report.ts';
import type { StoreTx } from '../store/contract.ts';
import type { TimerHandler } from '../timers/handlers.ts';
import { postToBoard } from './board.ts';
import type { PolicyKit } from './kit.ts';
import { nextWeekly } from './weekly.ts';

/**
 * The weekly report (reviews.yaml `weeklyReport`): a keyed timer builds the
 * last 7 days' report (the same code as `touchpoint report`) and posts its
 * KPIs against their targets to a staff channel, through the outbox, then
 * sets itself for the next week; all in the timer's transaction, so a crash
 * before the commit posts it once, later.
 */

export const WEEKLY_REPORT = 'reports.weekly';
const WEEK = 7 * 86_400_000;

export async function weeklyReportText(tx: StoreTx, kit: PolicyKit, now: number): Promise<string> {
  const p = kit.policies;
  const report = await buildReport(tx, {
    from: now - WEEK,
    to: now,
    now,
    calendar: kit.calendar,
    targets: p.targets,
    sla: p.sla,
    complaints: p.trends.complaints,
  });
  const day = (t: number) => new Date(t).toISOString().slice(0, 10);
  const lines = report.scored.map(
    (s) => `• ${s.label}: ${scoredValue(s, 'actual')} (target ${scoredValue(s, 'target')}) ${verdict(s)}`,
  );
  return [
    `Weekly report for ${kit.settings.business.name}, ${day(report.from)} to ${day(report.to)}: ` +
      `${report.total.volume.conversations} conversations.`,
    ...lines,
  ].join('\n');
}

/** Sets the next weekly report, replacing a pending one (the key): at start and after each report. */
export async function scheduleWeeklyReport(tx: StoreTx, kit: PolicyKit, now: number): Promise<void> {
  const r = kit.policies.reviews.weeklyReport;
  if (!r) {
    await tx.cancelTimerByKey(WEEKLY_REPORT);
    return;
  }
  const dueAt = nextWeekly(kit.settings.business.timezone, r.day, r.at, now);
  await tx.scheduleTimer({ kind: WEEKLY_REPORT, dueAt, key: WEEKLY_REPORT }, now);
}

export function createWeeklyReportHandlers(kit: PolicyKit): Record<string, TimerHandler> {
  return {
    [WEEKLY_REPORT]: async (_timer, tx) => {
      const r = kit.policies.reviews.weeklyReport;
      const now = kit.clock.now();
      if (r) await postToBoard(tx, kit, r.post, await weeklyReportText(tx, kit, now), now);
      await scheduleWeeklyReport(tx, kit, now + 1);
    },
  };
}
