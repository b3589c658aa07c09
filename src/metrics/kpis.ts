import type { BusinessCalendar } from '../calendar/calendar.ts';
import type { FactKind } from '../facts/derive.ts';
import type { Store } from '../store/contract.ts';
import type { ConversationFactRow, FactDimensions, FactInputs, FactRow } from '../store/fact-reads.ts';
import { businessTimer } from './business-time.ts';
import { type Ratio, ratio, type Timing, timing } from './measure.ts';

/**
 * The KPIs, each a query over the stored facts (formulas in README.md,
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

type Inputs = FactInputs;

const FACT_KINDS: FactKind[] = ['first_response', 'next_response', 'resolved', 'reopened', 'csat', 'self_service'];

export function loadInputs(store: Pick<Store, 'factInputs'>, range: KpiRange): Promise<Inputs> {
  return store.factInputs(FACT_KINDS, range.from, range.to);
}

export function keyOf(row: FactDimensions, by: Dimension): string {
  if (by === 'vip') return row.vip ? 'vip' : 'not vip';
  return row[by] ?? '(none)';
}

/**
 * The bot answered and no person was needed: none replied, none was assigned, none was asked for,
 * and the customer never said the knowledge answers did not help (`notHelped`: conversation ids).
 */
export function selfServed(r: ConversationFactRow, notHelped: ReadonlySet<string> = new Set()): boolean {
  return (
    r.firstBotAt !== null &&
    r.firstHumanAt === null &&
    r.agent === null &&
    !r.escalated &&
    !notHelped.has(r.conversationId)
  );
}

/** An open conversation past a clock that has run out: unanswered past its response due, or unresolved past its resolution due. */
export function beyondSla(r: ConversationFactRow, now: number): boolean {
  const past = (due: number | null) => due !== null && now > due;
  if (r.firstHumanAt === null && past(r.firstResponseDue)) return true;
  if (r.awaitingSince !== null && r.firstHumanAt !== null && past(r.nextResponseDue)) return true;
  return r.status === 'open' && past(r.resolutionDue);
}

export function computeKpis(input: Inputs, now: number, calendar: BusinessCalendar): Kpis {
  let from = now;
  let to = now;
  for (const f of input.facts) {
    from = Math.min(from, f.startedAt ?? f.at, f.at);
    to = Math.max(to, f.at);
  }
  for (const r of input.backlog) from = Math.min(from, r.createdAt);
  const business = businessTimer(calendar, from, to + 1);
  const spans = (rows: FactRow[]) =>
    timing(
      rows.map((f) => ({ from: f.startedAt ?? f.at, to: f.at, channel: f.channel })),
      business,
    );
  const of = (kind: FactKind, actor?: 'bot' | 'agent') =>
    input.facts.filter((f) => f.kind === kind && (actor === undefined || f.actor === actor));
  const resolvedFacts = of('resolved');
  const handled = resolvedFacts.filter((f) => (f.handleMs ?? 0) > 0);
  const agentResponses = input.facts.filter((f) => f.actor === 'agent' && f.breached !== null);
  const csat = of('csat');
  const scored = csat.filter((f) => f.score !== null);
  const asked = input.created.filter((r) => r.firstInboundAt !== null);
  const answered = of('self_service');
  const notHelped = new Set(answered.filter((f) => f.score === 0).map((f) => f.conversationId));
  return {
    volume: { conversations: input.created.length },
    firstResponse: { bot: spans(of('first_response', 'bot')), agent: spans(of('first_response', 'agent')) },
    nextResponse: spans(of('next_response', 'agent')),
    resolution: spans(resolvedFacts),
    handleTime: {
      conversations: handled.length,
      avgMs: handled.length === 0 ? null : handled.reduce((a, f) => a + (f.handleMs ?? 0), 0) / handled.length,
    },
    fcr: ratio(
      input.resolved.filter((r) => !r.escalated && !r.transferred && !r.reopenedSoon).length,
      input.resolved.length,
    ),
    reopenRate: ratio(of('reopened').length, resolvedFacts.length),
    slaAttainment: ratio(agentResponses.filter((f) => f.breached === false).length, agentResponses.length),
    csat: {
      ...ratio(scored.filter((f) => (f.score ?? 0) >= 4).length, scored.length),
      avgScore: scored.length === 0 ? null : scored.reduce((a, f) => a + (f.score ?? 0), 0) / scored.length,
    },
    deflection: ratio(asked.filter((r) => selfServed(r, notHelped)).length, asked.length),
    selfService: ratio(answered.filter((f) => f.score === 1).length, answered.length),
    backlog: {
      open: input.backlog.length,
      age: timing(
        input.backlog.map((r) => ({ from: r.createdAt, to: now, channel: r.channel })),
        business,
      ),
      beyondSla: ratio(input.backlog.filter((r) => beyondSla(r, now)).length, input.backlog.length),
    },
  };
}

/** Splits every input by one dimension, so each group's KPIs use the same formulas. */
export function groupInputs(input: Inputs, by: Dimension): Map<string, Inputs> {
  const groups = new Map<string, Inputs>();
  const at = (key: string) => {
    let g = groups.get(key);
    if (!g) {
      g = { facts: [], created: [], resolved: [], backlog: [] };
      groups.set(key, g);
    }
    return g;
  };
  for (const part of ['facts', 'created', 'resolved', 'backlog'] as const)
    for (const row of input[part]) (at(keyOf(row, by))[part] as FactDimensions[]).push(row);
  return groups;
}

export async function measure(
  store: Store,
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
