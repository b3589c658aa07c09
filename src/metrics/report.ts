import type { BusinessCalendar } from '../calendar/calendar.ts';
import type { SlaSettings, TargetSettings } from '../settings/policy-schema.ts';
import type { Store } from '../store/contract.ts';
import { businessTimer } from './business-time.ts';
import { type ComplaintWeek, complaintWeeks } from './complaints.ts';
import type { KpiStore } from './kpi-load.ts';
import { computeKpis, type Dimension, groupInputs, type KpiGroup, type Kpis, loadInputs, reach } from './kpis.ts';
import { againstTargets, type Scored } from './targets.ts';

/** What `touchpoint report` and the dashboard show for a period: KPIs beside targets, breakdowns, series for charts. */
export interface Report {
  from: number;
  to: number;
  by: Dimension | null;
  total: Kpis;
  scored: Scored[];
  groups: KpiGroup[];
  /** One row per day (UTC date) of the period. */
  daily: { day: string; conversations: number; csatAnswers: number; csatRate: number | null }[];
  /** Every person's first response of the period, in minutes of business time, by channel. */
  firstResponses: { channel: string; minutes: number }[];
  /** Complaints (trends.yaml `complaints`) opened per week, by category. */
  complaints: ComplaintWeek[];
  /** Resolutions of the period by disposition code (desk.yaml), most first. */
  dispositions: { code: string; label: string; count: number }[];
}

export interface ReportOptions {
  from: number;
  to: number;
  now: number;
  by?: Dimension;
  calendar: BusinessCalendar;
  targets: TargetSettings;
  sla: SlaSettings;
  /** Intents and categories that make a conversation a complaint (trends.yaml). */
  complaints: string[];
  /** Labels of the disposition codes (desk.yaml); a code no longer in config shows as itself. */
  dispositions?: Record<string, string>;
}

const DAY_MS = 86_400_000;
const day = (t: number) => new Date(t).toISOString().slice(0, 10);

export async function buildReport(
  store: KpiStore & Pick<Store, 'resolutionsBetween'>,
  o: ReportOptions,
): Promise<Report> {
  const input = await loadInputs(store, { from: o.from, to: o.to, now: o.now });
  const total = computeKpis(input, o.now, o.calendar);
  const measured = (by: Dimension) =>
    [...groupInputs(input, by)].map(([key, g]) => ({ key, kpis: computeKpis(g, o.now, o.calendar) }));
  const byChannel = measured('channel');
  const groups = o.by
    ? (o.by === 'channel' ? [...byChannel] : measured(o.by)).sort(
        (a, b) => b.kpis.volume.conversations - a.kpis.volume.conversations || a.key.localeCompare(b.key),
      )
    : [];
  // every channel's first response against its own target
  const scored = [
    ...againstTargets(total, o.targets, o.sla),
    ...byChannel
      .filter((g) => g.kpis.volume.conversations > 0)
      .sort((a, b) => a.key.localeCompare(b.key))
      .flatMap((g) => againstTargets(g.kpis, o.targets, o.sla, g.key).filter((s) => s.id === 'first_response')),
  ];

  const days = new Map<string, Report['daily'][number]>();
  for (let t = o.from; t < o.to; t += DAY_MS) {
    days.set(day(t), { day: day(t), conversations: 0, csatAnswers: 0, csatRate: null });
  }
  const happy = new Map<string, number>();
  for (const c of input.cells) {
    const d = days.get(day(c.day));
    if (!d) continue;
    d.conversations += c.created;
    d.csatAnswers += c.csatScored;
    happy.set(d.day, (happy.get(d.day) ?? 0) + c.csatHappy);
  }
  for (const d of days.values()) d.csatRate = d.csatAnswers === 0 ? null : (happy.get(d.day) ?? 0) / d.csatAnswers;

  const window = reach(input, o.now);
  const business = businessTimer(o.calendar, Math.min(o.from, window.from), Math.max(o.to + 1, window.to));
  const firstResponses: Report['firstResponses'] = [];
  for (const c of input.cells)
    for (let j = 0; j < c.agentFirst.length; j += 2) {
      const end = c.day + (c.agentFirst[j + 1] as number);
      firstResponses.push({
        channel: c.channel,
        minutes: business(end - (c.agentFirst[j] as number), end, c.channel) / 60_000,
      });
    }

  const complaints = complaintWeeks(
    input.cells
      .filter((c) => c.created > 0)
      .map((c) => ({ createdAt: c.day, intent: c.intent, category: c.category, count: c.created })),
    o.complaints,
  );
  const byCode = new Map<string, number>();
  for (const r of await store.resolutionsBetween(o.from, o.to)) byCode.set(r.code, (byCode.get(r.code) ?? 0) + 1);
  const dispositions = [...byCode]
    .map(([code, count]) => ({ code, label: o.dispositions?.[code] ?? code, count }))
    .sort((a, b) => b.count - a.count || a.code.localeCompare(b.code));
  return {
    from: o.from,
    to: o.to,
    by: o.by ?? null,
    total,
    scored,
    groups,
    daily: [...days.values()],
    firstResponses,
    complaints,
    dispositions,
  };
}
