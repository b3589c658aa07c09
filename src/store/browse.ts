import { sql } from 'kysely';
import type { Conversation, ConversationStatus } from '../model/types.ts';
import { type Ctx, clampLimit } from './query-helpers.ts';
import { conversationFromRow } from './rows.ts';

/** The owner's conversation list: filters, and a keyset cursor so a page costs the same on page 1 and page 500. */
export interface BrowseQuery {
  status?: ConversationStatus[];
  channel?: string;
  category?: string;
  /** The person the conversation is assigned to. */
  agent?: string;
  vip?: boolean;
  /** Only conversations that broke an SLA clock, or are past one now. */
  breached?: boolean;
  /** Conversations strictly after this one in (updated, id) descending order. */
  after?: { updatedAt: number; id: string };
  limit?: number;
  /** SLA clocks are judged at this instant. */
  now: number;
}

export interface BrowsedConversation {
  conversation: Conversation;
  contactName: string | null;
  vip: boolean;
  breached: boolean;
}

/**
 * Breached once, or open and past a due time now (the rule of the KPI
 * `beyondSla`, in SQL): a conversation closed without a person's answer is
 * not late for ever.
 */
const breachedAt = (now: number) => sql<boolean>`coalesce(s.breached = 1
  or (s.status in ('open', 'pending', 'snoozed') and (
    (s.first_human_at is null and s.first_response_due < ${now})
    or (s.awaiting_since is not null and s.first_human_at is not null and s.next_response_due < ${now})
    or (s.status = 'open' and s.resolution_due < ${now}))), false)`;

export async function browseConversations(ctx: Ctx, q: BrowseQuery): Promise<BrowsedConversation[]> {
  if (q.status?.length === 0) return [];
  let query = ctx.db
    .selectFrom('conversations as c')
    .innerJoin('contacts as k', 'k.id', 'c.contact_id')
    .leftJoin('conversation_facts as s', 's.conversation_id', 'c.id')
    .selectAll('c')
    .select(['k.name as contact_name', 'k.vip as contact_vip'])
    .select(breachedAt(q.now).as('is_breached'));
  if (q.status) query = query.where('c.status', 'in', q.status);
  if (q.channel) query = query.where('c.channel', '=', q.channel);
  if (q.category) query = query.where('c.category', '=', q.category);
  if (q.agent) query = query.where('c.assignee', '=', q.agent);
  if (q.vip !== undefined) query = query.where('k.vip', '=', q.vip ? 1 : 0);
  if (q.breached !== undefined) {
    const rule = breachedAt(q.now);
    query = query.where(q.breached ? rule : sql<boolean>`not ${rule}`);
  }
  if (q.after) {
    const { updatedAt, id } = q.after;
    query = query.where((eb) => eb(eb.refTuple('c.updated_at', 'c.id'), '<', eb.tuple(updatedAt, id)));
  }
  const rows = await query
    .orderBy('c.updated_at', 'desc')
    .orderBy('c.id', 'desc')
    .limit(clampLimit(q.limit, 50, 200))
    .execute();
  return rows.map((r) => {
    const { contact_name, contact_vip, is_breached, ...row } = r;
    return {
      conversation: conversationFromRow(row),
      contactName: contact_name,
      vip: Number(contact_vip) === 1,
      breached: Boolean(Number(is_breached)),
    };
  });
}
