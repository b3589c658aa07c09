import type { Kysely, Selectable } from 'kysely';
import {
  type ChangeFacts,
  type ConversationStats,
  type Derived,
  type Fact,
  fact,
  onChange,
  onMessage,
} from '../facts/derive.ts';
import { newId } from '../ids.ts';
import type { Conversation, ConversationStatus, Message } from '../model/types.ts';
import { staleKpiDays } from './kpi-days.ts';
import type { Ctx } from './query-helpers.ts';
import type { ConversationFactsTable, Database, FactsTable } from './schema.ts';

/**
 * Writes a conversation's facts in the transaction that writes the
 * conversation or message they come from: every path (routing, timers, agent
 * actions, policies) passes the store, so none can forget them.
 */

type StatsRow = Selectable<ConversationFactsTable>;

const flag = (b: boolean) => (b ? 1 : 0);

export function statsToRow(s: ConversationStats): StatsRow {
  return {
    conversation_id: s.conversationId,
    channel: s.channel,
    created_at: s.createdAt,
    status: s.status,
    first_inbound_at: s.firstInboundAt,
    awaiting_since: s.awaitingSince,
    last_inbound_at: s.lastInboundAt,
    assigned_at: s.assignedAt,
    first_bot_at: s.firstBotAt,
    first_human_at: s.firstHumanAt,
    last_agent_at: s.lastAgentAt,
    agent: s.agent,
    escalated: flag(s.escalated),
    transferred: flag(s.transferred),
    reopens: s.reopens,
    first_resolved_at: s.firstResolvedAt,
    resolved_at: s.resolvedAt,
    handle_ms: s.handleMs,
    breached: flag(s.breached),
    first_response_due: s.firstResponseDue,
    next_response_due: s.nextResponseDue,
    resolution_due: s.resolutionDue,
  };
}

const num = (v: unknown): number | null => (v == null ? null : Number(v));

function statsFromRow(r: StatsRow): ConversationStats {
  return {
    conversationId: r.conversation_id,
    channel: r.channel,
    createdAt: Number(r.created_at),
    status: r.status as ConversationStatus,
    firstInboundAt: num(r.first_inbound_at),
    awaitingSince: num(r.awaiting_since),
    lastInboundAt: num(r.last_inbound_at),
    assignedAt: num(r.assigned_at),
    firstBotAt: num(r.first_bot_at),
    firstHumanAt: num(r.first_human_at),
    lastAgentAt: num(r.last_agent_at),
    agent: r.agent,
    escalated: Number(r.escalated) === 1,
    transferred: Number(r.transferred) === 1,
    reopens: Number(r.reopens),
    firstResolvedAt: num(r.first_resolved_at),
    resolvedAt: num(r.resolved_at),
    handleMs: Number(r.handle_ms),
    breached: Number(r.breached) === 1,
    firstResponseDue: num(r.first_response_due),
    nextResponseDue: num(r.next_response_due),
    resolutionDue: num(r.resolution_due),
  };
}

export function factToRow(f: Fact): Selectable<FactsTable> {
  return {
    id: newId(),
    conversation_id: f.conversationId,
    kind: f.kind,
    at: f.at,
    started_at: f.startedAt,
    actor: f.actor,
    agent: f.agent,
    breached: f.breached === null ? null : flag(f.breached),
    handle_ms: f.handleMs,
    score: f.score,
    comment: f.comment,
    flow: f.flow,
  };
}

/**
 * The stats each open transaction wrote, by conversation: a message and its reply in one
 * transaction read them back from here, not from the store. Exact, since only this module
 * writes the table, and the row written stays locked by the transaction until it ends.
 */
const written = new WeakMap<Kysely<Database>, Map<string, ConversationStats>>();

function remember(ctx: Ctx, s: ConversationStats): void {
  if (!ctx.db.isTransaction) return;
  const mine = written.get(ctx.db);
  if (mine) mine.set(s.conversationId, s);
  else written.set(ctx.db, new Map([[s.conversationId, s]]));
}

async function load(ctx: Ctx, conversationId: string): Promise<ConversationStats | null> {
  const known = ctx.db.isTransaction ? written.get(ctx.db)?.get(conversationId) : undefined;
  if (known) return known;
  const row = await ctx.db
    .selectFrom('conversation_facts')
    .selectAll()
    .where('conversation_id', '=', conversationId)
    .executeTakeFirst();
  return row ? statsFromRow(row) : null;
}

async function save(ctx: Ctx, prev: ConversationStats, d: Derived, now: number): Promise<void> {
  if (d.stats !== prev || d.facts.length > 0) await staleKpiDays(ctx.db, prev.createdAt, now);
  if (d.stats !== prev) {
    const { conversation_id, ...row } = statsToRow(d.stats);
    await ctx.db.updateTable('conversation_facts').set(row).where('conversation_id', '=', conversation_id).execute();
    remember(ctx, d.stats);
  }
  if (d.facts.length > 0) await ctx.db.insertInto('facts').values(d.facts.map(factToRow)).execute();
}

export async function insertStats(ctx: Ctx, s: ConversationStats): Promise<void> {
  await ctx.db.insertInto('conversation_facts').values(statsToRow(s)).execute();
  remember(ctx, s);
}

export async function factsOfMessage(ctx: Ctx, m: Message): Promise<void> {
  if (m.visibility !== 'customer' || m.status === 'failed') return;
  const prev = await load(ctx, m.conversationId);
  if (prev) await save(ctx, prev, onMessage(prev, m), m.createdAt);
}

const CHANGE_KEYS = ['status', 'assignee', 'tags', 'sla'] as const;
/** What KPIs break down by, or whether the conversation counts at all (staff threads are tagged). */
const DIMENSION_KEYS = ['category', 'intent', 'touchpoint', 'contactId', 'tags'] as const;

export async function factsOfChange(
  ctx: Ctx,
  conversationId: string,
  patch: Partial<Conversation>,
  now: number,
): Promise<void> {
  const change: ChangeFacts = {};
  for (const k of CHANGE_KEYS) if (patch[k] !== undefined) Object.assign(change, { [k]: patch[k] });
  const regrouped = DIMENSION_KEYS.some((k) => patch[k] !== undefined);
  if (Object.keys(change).length === 0 && !regrouped) return;
  const prev = await load(ctx, conversationId);
  if (!prev) return;
  if (regrouped) await staleKpiDays(ctx.db, prev.createdAt, now);
  await save(ctx, prev, onChange(prev, change, now), now);
}

/** A fact a decision states outright (a CSAT answer), attributed to the conversation's agent. */
export async function recordFact(
  ctx: Ctx,
  conversationId: string,
  kind: Fact['kind'],
  at: number,
  more: Partial<Fact>,
): Promise<void> {
  const s = await load(ctx, conversationId);
  if (!s) return;
  await staleKpiDays(ctx.db, s.createdAt, at);
  await ctx.db
    .insertInto('facts')
    .values(factToRow(fact(s, kind, at, more)))
    .execute();
}
