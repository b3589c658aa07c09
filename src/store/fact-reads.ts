import { sql } from 'kysely';
import type { FactKind } from '../facts/derive.ts';
import { yieldTurn } from '../turns.ts';
import { type Dimensions, dimensionsOf, NOT_STAFF } from './fact-dimensions.ts';
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
  /** CSAT answers only. */
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

export interface FactInputs {
  facts: FactRow[];
  created: ConversationFactRow[];
  resolved: ConversationFactRow[];
  /** Conversations whose customer answered "no" to "did this help?" at or after the period's start. */
  notHelped: string[];
}

/** An open conversation, as the backlog KPIs read it. */
export interface BacklogRow extends Omit<FactDimensions, 'conversationId'> {
  createdAt: number;
  /** Past a clock that has run out: unanswered past its response due, or unresolved past its resolution due. */
  beyondSla: boolean;
}

const WEEK_MS = 7 * 86_400_000;
/** A period is read a day at a time and the backlog a page at a time, yielding between, so a long report never holds the event loop. */
const SLICE_MS = 86_400_000;
const PAGE = 2000;
const OPEN = sql<boolean>`s.status in ('open', 'pending', 'snoozed')`;
const num = (v: unknown): number | null => (v == null ? null : Number(v));

/** Slices from the first instant with rows (`first`), so a period opened far back (from 0) costs no empty slices. */
async function bySlice<T>(
  range: { from: number; to: number },
  first: (from: number, to: number) => Promise<number | null>,
  read: (a: number, b: number) => Promise<T[]>,
): Promise<T[]> {
  const out: T[] = [];
  const start = await first(range.from, range.to);
  if (start === null) return out;
  for (let a = Math.max(range.from, start); a < range.to; a += SLICE_MS) {
    for (const r of await read(a, Math.min(range.to, a + SLICE_MS))) out.push(r);
    await yieldTurn();
  }
  return out;
}

async function firstFact(ctx: Ctx, kinds: FactKind[], from: number, to: number): Promise<number | null> {
  const row = await ctx.db
    .selectFrom('facts')
    .select((eb) => eb.fn.min('at').as('at'))
    .where('kind', 'in', kinds)
    .where('at', '>=', from)
    .where('at', '<', to)
    .executeTakeFirst();
  return num(row?.at);
}

/**
 * One slice of facts. All but CSAT answers come from the covering index alone;
 * CSAT answers also carry their free-text comment, too long for an index row.
 */
async function factQuery(ctx: Ctx, kinds: FactKind[], from: number, to: number) {
  const plain = kinds.filter((k) => k !== 'csat');
  const rows =
    plain.length === 0
      ? []
      : await ctx.db
          .selectFrom('facts')
          .select(['conversation_id', 'kind', 'at', 'started_at', 'actor', 'agent', 'breached', 'handle_ms', 'score'])
          .select([sql<string | null>`null`.as('comment'), sql<string | null>`null`.as('flow')])
          .where('kind', 'in', plain)
          .where('at', '>=', from)
          .where('at', '<', to)
          .execute();
  if (plain.length === kinds.length) return rows;
  const answers = await ctx.db
    .selectFrom('facts')
    .select(['conversation_id', 'kind', 'at', 'started_at', 'actor', 'agent', 'breached', 'handle_ms', 'score'])
    .select(['comment', 'flow'])
    .where('kind', '=', 'csat')
    .where('at', '>=', from)
    .where('at', '<', to)
    .orderBy('at')
    .orderBy('id')
    .execute();
  return [...rows, ...answers];
}
type RawFact = Awaited<ReturnType<typeof factQuery>>[number];

function conversationQuery(ctx: Ctx) {
  return ctx.db
    .selectFrom('conversation_facts as s')
    .select([
      's.conversation_id',
      's.agent',
      's.created_at',
      's.status',
      's.first_inbound_at',
      's.awaiting_since',
      's.first_bot_at',
      's.first_human_at',
      's.escalated',
      's.transferred',
      's.reopens',
      's.first_resolved_at',
      's.handle_ms',
      's.breached',
      's.first_response_due',
      's.next_response_due',
      's.resolution_due',
    ]);
}
type RawConversation = Awaited<ReturnType<ReturnType<typeof conversationQuery>['execute']>>[number];

function readConversations(ctx: Ctx, q: ConversationFactQuery): Promise<RawConversation[]> {
  if (q.by === 'backlog') return openConversations(ctx);
  const column = q.by === 'created' ? 's.created_at' : 's.first_resolved_at';
  const first = async (from: number, to: number) => {
    const row = await ctx.db
      .selectFrom('conversation_facts as s')
      .select((eb) => eb.fn.min(column).as('at'))
      .where(column, '>=', from)
      .where(column, '<', to)
      .executeTakeFirst();
    return num(row?.at);
  };
  return bySlice(q, first, (a, b) => conversationQuery(ctx).where(column, '>=', a).where(column, '<', b).execute());
}

async function openConversations(ctx: Ctx): Promise<RawConversation[]> {
  const out: RawConversation[] = [];
  let after = '';
  for (;;) {
    const page = await conversationQuery(ctx)
      .where(OPEN)
      .where('s.conversation_id', '>', after)
      .orderBy('s.conversation_id')
      .limit(PAGE)
      .execute();
    for (const r of page) out.push(r);
    if (page.length < PAGE) return out;
    after = page[page.length - 1]?.conversation_id ?? after;
    await yieldTurn();
  }
}

/** The first reopen of each conversation at or after `from`, read once rather than per conversation. */
async function firstReopens(ctx: Ctx, rows: RawConversation[][]): Promise<Map<string, number>> {
  let from = Number.POSITIVE_INFINITY;
  for (const list of rows)
    for (const r of list) if (r.first_resolved_at != null) from = Math.min(from, Number(r.first_resolved_at));
  if (!Number.isFinite(from)) return new Map();
  const found = await ctx.db
    .selectFrom('facts')
    .select(['conversation_id', (eb) => eb.fn.min('at').as('at')])
    .where('kind', '=', 'reopened')
    .where('at', '>=', from)
    .groupBy('conversation_id')
    .execute();
  return new Map(found.map((r) => [r.conversation_id, Number(r.at)]));
}

function toFact(r: RawFact, d: Dimensions): FactRow {
  return {
    conversationId: r.conversation_id,
    channel: d.channel,
    touchpoint: d.touchpoint,
    category: d.category,
    intent: d.intent,
    vip: d.vip,
    agent: r.agent,
    kind: r.kind as FactKind,
    at: Number(r.at),
    startedAt: num(r.started_at),
    actor: r.actor as FactRow['actor'],
    breached: r.breached == null ? null : Number(r.breached) === 1,
    handleMs: num(r.handle_ms),
    score: num(r.score),
    comment: r.comment,
    flow: r.flow,
  };
}

function toConversation(r: RawConversation, d: Dimensions, reopenedAt: number | undefined): ConversationFactRow {
  const firstResolvedAt = num(r.first_resolved_at);
  return {
    conversationId: r.conversation_id,
    channel: d.channel,
    touchpoint: d.touchpoint,
    category: d.category,
    intent: d.intent,
    vip: d.vip,
    agent: r.agent,
    createdAt: Number(r.created_at),
    status: r.status,
    firstInboundAt: num(r.first_inbound_at),
    awaitingSince: num(r.awaiting_since),
    firstBotAt: num(r.first_bot_at),
    firstHumanAt: num(r.first_human_at),
    escalated: Number(r.escalated) === 1,
    transferred: Number(r.transferred) === 1,
    reopens: Number(r.reopens),
    firstResolvedAt,
    // A reopen only follows a resolution, so the first one decides.
    reopenedSoon: firstResolvedAt !== null && reopenedAt !== undefined && reopenedAt <= firstResolvedAt + WEEK_MS,
    handleMs: Number(r.handle_ms),
    breached: Number(r.breached) === 1,
    firstResponseDue: num(r.first_response_due),
    nextResponseDue: num(r.next_response_due),
    resolutionDue: num(r.resolution_due),
  };
}

/** Rows whose conversation has dimensions (staff threads have none), joined to them. */
function withDimensions<R extends { conversation_id: string }, T>(
  rows: R[],
  dims: Map<string, Dimensions | null>,
  to: (r: R, d: Dimensions) => T,
): T[] {
  const out: T[] = [];
  for (const r of rows) {
    const d = dims.get(r.conversation_id);
    if (d) out.push(to(r, d));
  }
  return out;
}

/**
 * Everything the KPIs of [from, to) read but the backlog, with each
 * conversation's dimensions looked up once. A "not helped" answer counts from
 * the period's start on, however late: facts only follow their conversation's
 * opening, so for the conversations opened in the period that is any answer,
 * the same whichever period or day they are read in.
 */
export async function factInputs(ctx: Ctx, kinds: FactKind[], from: number, to: number): Promise<FactInputs> {
  const facts = await bySlice(
    { from, to },
    (a, b) => firstFact(ctx, kinds, a, b),
    (a, b) => factQuery(ctx, kinds, a, b),
  );
  const created = await readConversations(ctx, { by: 'created', from, to });
  const resolved = await readConversations(ctx, { by: 'resolved', from, to });
  const dims = new Map<string, Dimensions | null>();
  const ids = function* () {
    for (const list of [facts, created, resolved]) for (const r of list) yield r.conversation_id;
  };
  await dimensionsOf(ctx, ids(), dims);
  const reopens = await firstReopens(ctx, [resolved]);
  const conversation = (r: RawConversation, d: Dimensions) => toConversation(r, d, reopens.get(r.conversation_id));
  const notHelped = await ctx.db
    .selectFrom('facts')
    .select('conversation_id')
    .distinct()
    .where('kind', '=', 'self_service')
    .where('at', '>=', from)
    .where('score', '=', 0)
    .execute();
  return {
    facts: withDimensions(facts, dims, toFact),
    created: withDimensions(created, dims, conversation),
    resolved: withDimensions(resolved, dims, conversation),
    notHelped: notHelped.map((r) => r.conversation_id),
  };
}

/** The rule of the KPI `beyondSla` for an open conversation, at `now`. */
const beyondSla = (now: number) => sql<number>`case when
  (s.first_human_at is null and s.first_response_due < ${now})
  or (s.awaiting_since is not null and s.first_human_at is not null and s.next_response_due < ${now})
  or (s.status = 'open' and s.resolution_due < ${now}) then 1 else 0 end`;

/**
 * The open backlog at `now` with its dimensions, joined in SQL and paged by
 * id: only the columns its KPIs read, for the tens of thousands of rows a busy
 * store has open (building each row costs more than reading it).
 */
export async function openBacklog(ctx: Ctx, now: number): Promise<BacklogRow[]> {
  const vips = new Set(
    (await ctx.db.selectFrom('contacts').select('id').where(sql<boolean>`vip = 1`).execute()).map((r) => r.id),
  );
  const out: BacklogRow[] = [];
  let after = '';
  for (;;) {
    const page = await ctx.db
      .selectFrom('conversation_facts as s')
      .innerJoin('conversations as c', 'c.id', 's.conversation_id')
      .select(['s.conversation_id', 's.agent', 's.created_at', 'c.contact_id', 'c.channel', 'c.touchpoint_kind'])
      .select(['c.category', 'c.intent', beyondSla(now).as('beyond')])
      .where(OPEN)
      .where(NOT_STAFF)
      .where('s.conversation_id', '>', after)
      .orderBy('s.conversation_id')
      .limit(PAGE)
      .execute();
    for (const r of page)
      out.push({
        channel: r.channel,
        touchpoint: r.touchpoint_kind,
        category: r.category,
        intent: r.intent,
        agent: r.agent,
        vip: vips.has(r.contact_id),
        createdAt: Number(r.created_at),
        beyondSla: Number(r.beyond) === 1,
      });
    if (page.length < PAGE) return out;
    after = page[page.length - 1]?.conversation_id ?? after;
    await yieldTurn();
  }
}

export async function factsBetween(ctx: Ctx, kinds: FactKind[], from: number, to: number): Promise<FactRow[]> {
  const facts = await bySlice(
    { from, to },
    (a, b) => firstFact(ctx, kinds, a, b),
    (a, b) => factQuery(ctx, kinds, a, b),
  );
  const dims = new Map<string, Dimensions | null>();
  await dimensionsOf(
    ctx,
    facts.map((f) => f.conversation_id),
    dims,
  );
  return withDimensions(facts, dims, toFact);
}

export async function conversationFacts(ctx: Ctx, q: ConversationFactQuery): Promise<ConversationFactRow[]> {
  const rows = await readConversations(ctx, q);
  const dims = new Map<string, Dimensions | null>();
  await dimensionsOf(
    ctx,
    rows.map((r) => r.conversation_id),
    dims,
  );
  const reopens = await firstReopens(ctx, [rows]);
  return withDimensions(rows, dims, (r, d) => toConversation(r, d, reopens.get(r.conversation_id)));
}
