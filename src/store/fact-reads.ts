import { sql } from 'kysely';
import type { FactKind } from '../facts/derive.ts';
import type { Ctx } from './query-helpers.ts';

/** What a KPI may be broken down by, as stored on the conversation, its contact and its facts. */
export interface FactDimensions {
  conversationId: string;
  channel: string;
  touchpoint: string;
  category: string | null;
  intent: string | null;
  agent: string | null;
  vip: boolean;
}

export interface FactRow extends FactDimensions {
  kind: FactKind;
  at: number;
  startedAt: number | null;
  actor: 'bot' | 'agent' | null;
  breached: boolean | null;
  handleMs: number | null;
  score: number | null;
  comment: string | null;
  flow: string | null;
}

export interface ConversationFactRow extends FactDimensions {
  createdAt: number;
  status: string;
  firstInboundAt: number | null;
  awaitingSince: number | null;
  firstBotAt: number | null;
  firstHumanAt: number | null;
  escalated: boolean;
  transferred: boolean;
  reopens: number;
  firstResolvedAt: number | null;
  /** Reopened within 7 days of its first resolution. */
  reopenedSoon: boolean;
  handleMs: number;
  breached: boolean;
  firstResponseDue: number | null;
  nextResponseDue: number | null;
  resolutionDue: number | null;
}

export interface ConversationFactQuery {
  /** `created`: opened in the range; `resolved`: first resolved in the range; `backlog`: open now (range ignored). */
  by: 'created' | 'resolved' | 'backlog';
  from: number;
  to: number;
}

const WEEK_MS = 7 * 86_400_000;
/** Staff threads (pages, notices to people) are not support conversations. */
const NOT_STAFF = sql<boolean>`c.tags not like '%"staff"%'`;
const num = (v: unknown): number | null => (v == null ? null : Number(v));

export async function factsBetween(ctx: Ctx, kinds: FactKind[], from: number, to: number): Promise<FactRow[]> {
  const rows = await ctx.db
    .selectFrom('facts as f')
    .innerJoin('conversations as c', 'c.id', 'f.conversation_id')
    .innerJoin('contacts as k', 'k.id', 'c.contact_id')
    .select([
      'f.conversation_id',
      'f.kind',
      'f.at',
      'f.started_at',
      'f.actor',
      'f.agent',
      'f.breached',
      'f.handle_ms',
      'f.score',
      'f.comment',
      'f.flow',
      'c.channel',
      'c.touchpoint_kind',
      'c.category',
      'c.intent',
      'k.vip',
    ])
    .where('f.kind', 'in', kinds)
    .where('f.at', '>=', from)
    .where('f.at', '<', to)
    .where(NOT_STAFF)
    .execute();
  return rows.map((r) => ({
    conversationId: r.conversation_id,
    kind: r.kind as FactKind,
    at: Number(r.at),
    startedAt: num(r.started_at),
    actor: r.actor as FactRow['actor'],
    agent: r.agent,
    breached: r.breached == null ? null : Number(r.breached) === 1,
    handleMs: num(r.handle_ms),
    score: num(r.score),
    comment: r.comment,
    flow: r.flow,
    channel: r.channel,
    touchpoint: r.touchpoint_kind,
    category: r.category,
    intent: r.intent,
    vip: Number(r.vip) === 1,
  }));
}

export async function conversationFacts(ctx: Ctx, q: ConversationFactQuery): Promise<ConversationFactRow[]> {
  let query = ctx.db
    .selectFrom('conversation_facts as s')
    .innerJoin('conversations as c', 'c.id', 's.conversation_id')
    .innerJoin('contacts as k', 'k.id', 'c.contact_id')
    .selectAll('s')
    .select(['c.touchpoint_kind', 'c.category', 'c.intent', 'k.vip'])
    .select((eb) =>
      eb
        .exists(
          eb
            .selectFrom('facts as r')
            .select('r.id')
            .whereRef('r.conversation_id', '=', 's.conversation_id')
            .where('r.kind', '=', 'reopened')
            .whereRef('r.at', '<=', sql<number>`s.first_resolved_at + ${WEEK_MS}`),
        )
        .as('reopened_soon'),
    )
    .where(NOT_STAFF);
  if (q.by === 'backlog') query = query.where(sql<boolean>`s.status in ('open', 'pending', 'snoozed')`);
  else {
    const column = q.by === 'created' ? 's.created_at' : 's.first_resolved_at';
    query = query.where(column, '>=', q.from).where(column, '<', q.to);
  }
  const rows = await query.execute();
  return rows.map((r) => ({
    conversationId: r.conversation_id,
    channel: r.channel,
    touchpoint: r.touchpoint_kind,
    category: r.category,
    intent: r.intent,
    agent: r.agent,
    vip: Number(r.vip) === 1,
    createdAt: Number(r.created_at),
    status: r.status,
    firstInboundAt: num(r.first_inbound_at),
    awaitingSince: num(r.awaiting_since),
    firstBotAt: num(r.first_bot_at),
    firstHumanAt: num(r.first_human_at),
    escalated: Number(r.escalated) === 1,
    transferred: Number(r.transferred) === 1,
    reopens: Number(r.reopens),
    firstResolvedAt: num(r.first_resolved_at),
    reopenedSoon: Boolean(Number(r.reopened_soon)),
    handleMs: Number(r.handle_ms),
    breached: Number(r.breached) === 1,
    firstResponseDue: num(r.first_response_due),
    nextResponseDue: num(r.next_response_due),
    resolutionDue: num(r.resolution_due),
  }));
}
