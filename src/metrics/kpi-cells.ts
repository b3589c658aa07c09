import type { ConversationFactRow, FactDimensions, FactInputs, FactRow } from '../store/fact-reads.ts';

/**
 * The KPI inputs of one UTC day and one combination of dimensions, summed:
 * counts and sums are exact, and each duration KPI keeps its spans (two
 * numbers each), so medians and percentiles stay exact and business time is
 * counted by the calendar in force when read. A period reads one cell per day
 * and combination instead of a row per fact (src/store/kpi-days.ts keeps
 * closed days), and every KPI is computed from cells (kpis.ts).
 */
export interface Cell extends Omit<FactDimensions, 'conversationId'> {
  /** The day's first instant (UTC midnight). */
  day: number;
  /** Conversations opened this day. */
  created: number;
  /** … of which a customer wrote in. */
  asked: number;
  /** … of which the bot served alone (`selfServed`). */
  deflected: number;
  /** Conversations first resolved this day. */
  resolvedConversations: number;
  /** … without escalation, transfer or a reopen within 7 days. */
  firstContactResolved: number;
  /** Spans as pairs: the wall duration, then the instant it ended as an offset from `day`. */
  botFirst: number[];
  agentFirst: number[];
  next: number[];
  resolution: number[];
  /** Resolutions with handle time, and its sum. */
  handled: number;
  handleMs: number;
  reopened: number;
  /** People's responses with an SLA clock, and those in time. */
  slaOf: number;
  slaMet: number;
  csatScored: number;
  csatHappy: number;
  csatSum: number;
  /** "Did this help?" answers, and the yeses. */
  answered: number;
  helped: number;
}

export type SpanKind = 'botFirst' | 'agentFirst' | 'next' | 'resolution';
export const SPAN_KINDS: readonly SpanKind[] = ['botFirst', 'agentFirst', 'next', 'resolution'];

const DAY_MS = 86_400_000;
const dayStart = (t: number): number => Math.floor(t / DAY_MS) * DAY_MS;

/**
 * The bot answered and no person was needed: none replied, none was assigned, none was asked for,
 * and the customer never said the knowledge answers did not help (`notHelped`: conversation ids).
 */
function selfServed(r: ConversationFactRow, notHelped: ReadonlySet<string>): boolean {
  return (
    r.firstBotAt !== null &&
    r.firstHumanAt === null &&
    r.agent === null &&
    !r.escalated &&
    !notHelped.has(r.conversationId)
  );
}

function emptyCell(day: number, d: Omit<FactDimensions, 'conversationId'>): Cell {
  return {
    day,
    channel: d.channel,
    touchpoint: d.touchpoint,
    category: d.category,
    intent: d.intent,
    agent: d.agent,
    vip: d.vip,
    created: 0,
    asked: 0,
    deflected: 0,
    resolvedConversations: 0,
    firstContactResolved: 0,
    botFirst: [],
    agentFirst: [],
    next: [],
    resolution: [],
    handled: 0,
    handleMs: 0,
    reopened: 0,
    slaOf: 0,
    slaMet: 0,
    csatScored: 0,
    csatHappy: 0,
    csatSum: 0,
    answered: 0,
    helped: 0,
  };
}

function addFact(c: Cell, f: FactRow): void {
  const span = (to: number[]) => to.push(f.at - (f.startedAt ?? f.at), f.at - c.day);
  if (f.kind === 'first_response' && f.actor === 'bot') span(c.botFirst);
  else if (f.kind === 'first_response' && f.actor === 'agent') span(c.agentFirst);
  else if (f.kind === 'next_response' && f.actor === 'agent') span(c.next);
  else if (f.kind === 'resolved') {
    span(c.resolution);
    if ((f.handleMs ?? 0) > 0) {
      c.handled++;
      c.handleMs += f.handleMs ?? 0;
    }
  } else if (f.kind === 'reopened') c.reopened++;
  else if (f.kind === 'csat' && f.score !== null) {
    c.csatScored++;
    c.csatSum += f.score;
    if (f.score >= 4) c.csatHappy++;
  } else if (f.kind === 'self_service') {
    c.answered++;
    if (f.score === 1) c.helped++;
  }
  if (f.actor === 'agent' && f.breached !== null) {
    c.slaOf++;
    if (!f.breached) c.slaMet++;
  }
}

/** The inputs of a period summed into cells, by the UTC day each fact happened, each conversation opened or was first resolved. */
export function cellsOf(input: FactInputs): Cell[] {
  const cells = new Map<string, Cell>();
  const at = (t: number, d: Omit<FactDimensions, 'conversationId'>) => {
    const day = dayStart(t);
    const key = JSON.stringify([day, d.channel, d.touchpoint, d.category, d.intent, d.agent, d.vip]);
    let c = cells.get(key);
    if (!c) {
      c = emptyCell(day, d);
      cells.set(key, c);
    }
    return c;
  };
  for (const f of input.facts) addFact(at(f.at, f), f);
  const notHelped = new Set(input.notHelped);
  for (const r of input.created) {
    const c = at(r.createdAt, r);
    c.created++;
    if (r.firstInboundAt === null) continue;
    c.asked++;
    if (selfServed(r, notHelped)) c.deflected++;
  }
  for (const r of input.resolved) {
    if (r.firstResolvedAt === null) continue;
    const c = at(r.firstResolvedAt, r);
    c.resolvedConversations++;
    if (!r.escalated && !r.transferred && !r.reopenedSoon) c.firstContactResolved++;
  }
  return [...cells.values()];
}
