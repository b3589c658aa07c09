import type { Conversation, ConversationStatus, Message, SlaState } from '../model/types.ts';

/**
 * The facts of a conversation, derived as it is written: what a KPI needs is
 * known at the instant it happens (a first response, a reopen, a breach) and is
 * stored then, in the same transaction, never recomputed from logs. Pure
 * functions over a per-conversation running summary; the store writes both.
 */

export type FactKind =
  | 'first_response'
  | 'next_response'
  | 'assigned'
  | 'transferred'
  | 'escalated'
  | 'resolved'
  | 'reopened'
  | 'sla_breach'
  | 'csat'
  /** A "did this help?" answered after knowledge answers: score 1 for yes, 0 for no. */
  | 'self_service';

export type Actor = 'bot' | 'agent';

export interface Fact {
  conversationId: string;
  kind: FactKind;
  /** When it happened (epoch ms). */
  at: number;
  /** When the span it closes began (the customer's message a response answers, the conversation's start …). */
  startedAt: number | null;
  actor: Actor | null;
  agent: string | null;
  /** A response given after its SLA clock was due (null: no clock ran). */
  breached: boolean | null;
  /** An agent's time on this reply, toward the handle time. */
  handleMs: number | null;
  score: number | null;
  comment: string | null;
  flow: string | null;
}

/** The running summary of one conversation (one row per conversation). */
export interface ConversationStats {
  conversationId: string;
  channel: string;
  createdAt: number;
  status: ConversationStatus;
  firstInboundAt: number | null;
  /** The oldest customer message no person has answered yet (a bot's answer does not stop the wait for one). */
  awaitingSince: number | null;
  lastInboundAt: number | null;
  assignedAt: number | null;
  firstBotAt: number | null;
  firstHumanAt: number | null;
  lastAgentAt: number | null;
  agent: string | null;
  escalated: boolean;
  transferred: boolean;
  reopens: number;
  firstResolvedAt: number | null;
  resolvedAt: number | null;
  /** Agents' handle time since the last resolution (one contact's worth). */
  handleMs: number;
  breached: boolean;
  firstResponseDue: number | null;
  nextResponseDue: number | null;
  resolutionDue: number | null;
}

/** Tags that mean a person was asked for (a flow's handoff, an agent's escalation). */
const ESCALATION_TAGS = ['escalated', 'handoff'];
const BREACH_TAG = 'sla-breached';
/** One reply's handling never counts for more than this: an agent who left the tab open is not working. */
export const HANDLE_SPAN_CAP_MS = 30 * 60_000;

export function statsOf(
  c: Pick<Conversation, 'id' | 'touchpoint' | 'createdAt' | 'status' | 'assignee'>,
): ConversationStats {
  return {
    conversationId: c.id,
    channel: c.touchpoint.channel,
    createdAt: c.createdAt,
    status: c.status,
    firstInboundAt: null,
    awaitingSince: null,
    lastInboundAt: null,
    assignedAt: null,
    firstBotAt: null,
    firstHumanAt: null,
    lastAgentAt: null,
    agent: c.assignee,
    escalated: false,
    transferred: false,
    reopens: 0,
    firstResolvedAt: null,
    resolvedAt: null,
    handleMs: 0,
    breached: false,
    firstResponseDue: null,
    nextResponseDue: null,
    resolutionDue: null,
  };
}

export function fact(s: ConversationStats, kind: FactKind, at: number, more: Partial<Fact> = {}): Fact {
  return {
    conversationId: s.conversationId,
    kind,
    at,
    startedAt: null,
    actor: null,
    agent: s.agent,
    breached: null,
    handleMs: null,
    score: null,
    comment: null,
    flow: null,
    ...more,
  };
}

export interface Derived {
  stats: ConversationStats;
  facts: Fact[];
}

type MessageFacts = Pick<Message, 'direction' | 'author' | 'visibility' | 'status' | 'createdAt'>;

/**
 * The author id of a broadcast's messages (`broadcast:<id>`). Reaching out first answers no one: not the
 * bot's first response, even in a conversation where the customer wrote before.
 */
export const OUTREACH_AUTHOR_PREFIX = 'broadcast:';

const isOutreach = (m: MessageFacts): boolean =>
  m.author.kind === 'bot' && (m.author.id ?? '').startsWith(OUTREACH_AUTHOR_PREFIX);

/** What one message adds: a customer now waiting, or a response to them. Internal notes and failed sends add nothing. */
export function onMessage(prev: ConversationStats, m: MessageFacts): Derived {
  if (m.visibility !== 'customer' || m.status === 'failed') return { stats: prev, facts: [] };
  const at = m.createdAt;
  if (m.direction === 'inbound') {
    if (m.author.kind !== 'contact') return { stats: prev, facts: [] };
    return {
      stats: {
        ...prev,
        firstInboundAt: prev.firstInboundAt ?? at,
        awaitingSince: prev.awaitingSince ?? at,
        lastInboundAt: at,
      },
      facts: [],
    };
  }
  if (isOutreach(m)) return { stats: prev, facts: [] };
  return m.author.kind === 'agent' ? agentResponse(prev, at, m.author.id ?? null) : botResponse(prev, at);
}

/** The bot's first answer is a fact (self-service); its later ones answer at once and measure nothing. */
function botResponse(prev: ConversationStats, at: number): Derived {
  if (prev.firstBotAt !== null) return { stats: prev, facts: [] };
  return {
    stats: { ...prev, firstBotAt: at },
    facts: [fact(prev, 'first_response', at, { actor: 'bot', startedAt: prev.firstInboundAt ?? prev.createdAt })],
  };
}

/** The agent's work on one reply: since the latest of the message it answers, their previous reply, the assignment. */
function handleSpan(prev: ConversationStats, at: number): number {
  const began = Math.max(prev.lastInboundAt ?? -Infinity, prev.lastAgentAt ?? -Infinity, prev.assignedAt ?? -Infinity);
  return Number.isFinite(began) ? Math.min(Math.max(0, at - began), HANDLE_SPAN_CAP_MS) : 0;
}

function agentResponse(prev: ConversationStats, at: number, author: string | null): Derived {
  const agent = prev.agent ?? author;
  const handleMs = handleSpan(prev, at);
  const first = prev.firstHumanAt === null;
  const due = first ? prev.firstResponseDue : prev.nextResponseDue;
  const breached = due === null ? null : at > due;
  const startedAt = first ? (prev.firstInboundAt ?? prev.createdAt) : prev.awaitingSince;
  const facts: Fact[] = [];
  if (first || startedAt !== null) {
    facts.push(
      fact(prev, first ? 'first_response' : 'next_response', at, {
        actor: 'agent',
        agent: author ?? agent,
        startedAt,
        breached,
        handleMs,
      }),
    );
  }
  return {
    stats: {
      ...prev,
      agent,
      firstHumanAt: prev.firstHumanAt ?? at,
      lastAgentAt: at,
      awaitingSince: null,
      handleMs: prev.handleMs + handleMs,
      breached: prev.breached || breached === true,
    },
    facts,
  };
}

export interface ChangeFacts {
  status?: ConversationStatus;
  assignee?: string | null;
  tags?: string[];
  sla?: SlaState;
}

/** What a change to the conversation adds: resolution, reopen, assignment, transfer, escalation, breach. */
export function onChange(prev: ConversationStats, patch: ChangeFacts, at: number): Derived {
  let s = prev;
  const facts: Fact[] = [];
  if (patch.sla) {
    s = {
      ...s,
      firstResponseDue: patch.sla.firstResponseDue ?? null,
      nextResponseDue: patch.sla.nextResponseDue ?? null,
      resolutionDue: patch.sla.resolutionDue ?? null,
    };
  }
  if (patch.assignee !== undefined && patch.assignee !== s.agent && patch.assignee !== null) {
    const transfer = s.agent !== null;
    facts.push(fact(s, 'assigned', at, { agent: patch.assignee, startedAt: s.createdAt }));
    if (transfer) facts.push(fact(s, 'transferred', at, { agent: patch.assignee }));
    s = { ...s, agent: patch.assignee, assignedAt: at, transferred: s.transferred || transfer };
  }
  if (patch.tags) {
    if (!s.escalated && patch.tags.some((t) => ESCALATION_TAGS.includes(t))) {
      facts.push(fact(s, 'escalated', at, { startedAt: s.createdAt }));
      s = { ...s, escalated: true };
    }
    if (!s.breached && patch.tags.includes(BREACH_TAG)) {
      facts.push(fact(s, 'sla_breach', at, { breached: true }));
      s = { ...s, breached: true };
    }
  }
  if (patch.status !== undefined && patch.status !== s.status) {
    const was = s.status;
    const done = (x: ConversationStatus) => x === 'resolved' || x === 'closed';
    if (patch.status === 'resolved' && !done(was)) {
      facts.push(fact(s, 'resolved', at, { startedAt: s.firstInboundAt ?? s.createdAt, handleMs: s.handleMs }));
      s = { ...s, resolvedAt: at, firstResolvedAt: s.firstResolvedAt ?? at, awaitingSince: null, handleMs: 0 };
    } else if (!done(patch.status) && done(was)) {
      facts.push(fact(s, 'reopened', at, { startedAt: s.resolvedAt }));
      s = { ...s, reopens: s.reopens + 1 };
    }
    s = { ...s, status: patch.status };
  }
  return { stats: s, facts };
}
