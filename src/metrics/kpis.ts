import type { BusinessCalendar } from '../calendar/calendar.ts';
import type { BacklogRow, FactDimensions } from '../store/fact-reads.ts';
import { businessTimer } from './business-time.ts';
import { type Cell, SPAN_KINDS, type SpanKind } from './kpi-cells.ts';
import { type KpiStore, loadInputs } from './kpi-load.ts';

export { loadInputs };

import { type Ratio, ratio, spreadOf, type Timing } from './measure.ts';

/**
 * The KPIs, each a sum over the period's cells (formulas in README.md,
 * "Measuring the operation"). Durations come in wall time and in the
 * business time of the conversation's channel.
 */

export const DIMENSIONS = ['channel', 'touchpoint', 'category', 'intent', 'agent', 'vip'] as const;
export type Dimension = (typeof DIMENSIONS)[number];

export interface Kpis {
  volume: { conversations: number };
  firstResponse: { bot: Timing; agent: Timing };
  nextResponse: Timing;
  resolution: Timing;
  handleTime: { conversations: number; avgMs: number | null };
  fcr: Ratio;
  reopenRate: Ratio;
  slaAttainment: Ratio;
  csat: Ratio & { avgScore: number | null };
  deflection: Ratio;
  /** "Did this help?" after knowledge answers (the flows' knowledge step): yes of those answered. */
  selfService: Ratio;
  backlog: {
    open: number;
    age: Timing;
    beyondSla: Ratio;
  };
}

export interface KpiGroup {
  key: string;
  kpis: Kpis;
}

export interface KpiRange {
  from: number;
  to: number;
  /** Backlog ages and SLA clocks are judged at this instant. */
  now: number;
  by?: Dimension;
}

/** A period's KPI inputs: its days as cells (stored days and live ones alike), and the open backlog now. */
export interface KpiData {
  cells: Cell[];
  backlog: BacklogRow[];
}

export function keyOf(row: Omit<FactDimensions, 'conversationId'>, by: Dimension): string {
  if (by === 'vip') return row.vip ? 'vip' : 'not vip';
  return row[by] ?? '(none)';
}

type Business = (a: number, b: number, channel: string) => number;
type Count = { [K in keyof Cell]: Cell[K] extends number ? K : never }[keyof Cell];

/** One duration KPI over every cell's spans, in wall time and business time. */
function spansTiming(cells: Cell[], kind: SpanKind, business: Business): Timing {
  let n = 0;
  for (const c of cells) n += c[kind].length / 2;
  const wall = new Float64Array(n);
  const biz = new Float64Array(n);
  let i = 0;
  for (const c of cells) {
    const s = c[kind];
    for (let j = 0; j < s.length; j += 2) {
      const ms = s[j] as number;
      const end = c.day + (s[j + 1] as number);
      wall[i] = ms;
      biz[i] = business(end - ms, end, c.channel);
      i++;
    }
  }
  return { count: n, wall: spreadOf(wall), business: spreadOf(biz) };
}

/** The instants every span and backlog age fall within, so business time reads the calendar once for all. */
export function reach(data: KpiData, now: number): { from: number; to: number } {
  let from = now;
  let to = now;
  for (const c of data.cells)
    for (const kind of SPAN_KINDS) {
      const s = c[kind];
      for (let j = 0; j < s.length; j += 2) {
        const end = c.day + (s[j + 1] as number);
        from = Math.min(from, end - (s[j] as number));
        to = Math.max(to, end);
      }
    }
  for (const r of data.backlog) from = Math.min(from, r.createdAt);
  return { from, to: to + 1 };
}

export function computeKpis(data: KpiData, now: number, calendar: BusinessCalendar): Kpis {
  const window = reach(data, now);
  const business = businessTimer(calendar, window.from, window.to);
  const sum = (k: Count) => {
    let n = 0;
    for (const c of data.cells) n += c[k];
    return n;
  };
  const resolution = spansTiming(data.cells, 'resolution', business);
  const handled = sum('handled');
  const scored = sum('csatScored');
  const ages = new Float64Array(data.backlog.length);
  const businessAges = new Float64Array(data.backlog.length);
  let beyond = 0;
  data.backlog.forEach((r, i) => {
    ages[i] = now - r.createdAt;
    businessAges[i] = business(r.createdAt, now, r.channel);
    if (r.beyondSla) beyond++;
  });
  return {
    volume: { conversations: sum('created') },
    firstResponse: {
      bot: spansTiming(data.cells, 'botFirst', business),
      agent: spansTiming(data.cells, 'agentFirst', business),
    },
    nextResponse: spansTiming(data.cells, 'next', business),
    resolution,
    handleTime: { conversations: handled, avgMs: handled === 0 ? null : sum('handleMs') / handled },
    fcr: ratio(sum('firstContactResolved'), sum('resolvedConversations')),
    reopenRate: ratio(sum('reopened'), resolution.count),
    slaAttainment: ratio(sum('slaMet'), sum('slaOf')),
    csat: { ...ratio(sum('csatHappy'), scored), avgScore: scored === 0 ? null : sum('csatSum') / scored },
    deflection: ratio(sum('deflected'), sum('asked')),
    selfService: ratio(sum('helped'), sum('answered')),
    backlog: {
      open: data.backlog.length,
      age: { count: ages.length, wall: spreadOf(ages), business: spreadOf(businessAges) },
      beyondSla: ratio(beyond, data.backlog.length),
    },
  };
}

/** Splits the cells and the backlog by one dimension, so each group's KPIs use the same formulas. */
export function groupInputs(data: KpiData, by: Dimension): Map<string, KpiData> {
  const groups = new Map<string, KpiData>();
  const at = (key: string) => {
    let g = groups.get(key);
    if (!g) {
      g = { cells: [], backlog: [] };
      groups.set(key, g);
    }
    return g;
  };
  for (const c of data.cells) at(keyOf(c, by)).cells.push(c);
  for (const r of data.backlog) at(keyOf(r, by)).backlog.push(r);
  return groups;
}

export async function measure(
  store: KpiStore,
  range: KpiRange,
  calendar: BusinessCalendar,
): Promise<{ total: Kpis; groups: KpiGroup[] }> {
  const input = await loadInputs(store, range);
  const total = computeKpis(input, range.now, calendar);
  const by = range.by;
  if (!by) return { total, groups: [] };
  const groups = [...groupInputs(input, by)]
    .map(([key, g]) => ({ key, kpis: computeKpis(g, range.now, calendar) }))
    .sort((a, b) => b.kpis.volume.conversations - a.kpis.volume.conversations || a.key.localeCompare(b.key));
  return { total, groups };
}
