import { sql } from 'kysely';
import type { Ctx } from './query-helpers.ts';
import { fromJson } from './rows.ts';

/** A conversation marked as product feedback, with the customer's first words. */
export interface FeedbackRow {
  conversationId: string;
  channel: string;
  touchpoint: string;
  createdAt: number;
  intent: string | null;
  category: string | null;
  tags: string[];
  contact: string | null;
  text: string;
}

/** Most rows one export returns: a period of feedback, not the whole store. */
export const FEEDBACK_LIMIT = 10_000;

/** Conversations opened in [from, to) whose intent is one of `intents` or that carry one of `tags`, oldest first. */
export async function labelledConversations(
  ctx: Ctx,
  q: { from: number; to: number; intents: string[]; tags: string[] },
): Promise<FeedbackRow[]> {
  if (q.intents.length === 0 && q.tags.length === 0) return [];
  const rows = await ctx.db
    .selectFrom('conversation_facts as s')
    .innerJoin('conversations as c', 'c.id', 's.conversation_id')
    .innerJoin('contacts as k', 'k.id', 'c.contact_id')
    .select(['c.id', 'c.channel', 'c.touchpoint_kind', 's.created_at', 'c.intent', 'c.category', 'c.tags', 'k.name'])
    .select((eb) =>
      eb
        .selectFrom('messages as m')
        .select('m.text')
        .whereRef('m.conversation_id', '=', 'c.id')
        .where('m.direction', '=', 'inbound')
        .orderBy('m.created_at')
        .limit(1)
        .as('text'),
    )
    .where('s.created_at', '>=', q.from)
    .where('s.created_at', '<', q.to)
    .where((eb) =>
      eb.or([
        ...(q.intents.length > 0 ? [eb('c.intent', 'in', q.intents)] : []),
        // tags are a JSON array of strings: its quoted form finds a tag (and, `_` and `%` being
        // wildcards, maybe more, which the exact check below drops)
        ...q.tags.map((t) => eb('c.tags', 'like', `%${JSON.stringify(t)}%`)),
      ]),
    )
    .where(sql<boolean>`c.tags not like '%"staff"%'`)
    .orderBy('s.created_at')
    .orderBy('c.id')
    .limit(FEEDBACK_LIMIT)
    .execute();
  const tagged = new Set(q.tags);
  const intents = new Set(q.intents);
  return rows
    .map((r) => ({
      conversationId: r.id,
      channel: r.channel,
      touchpoint: r.touchpoint_kind,
      createdAt: Number(r.created_at),
      intent: r.intent,
      category: r.category,
      tags: fromJson<string[]>(r.tags),
      contact: r.name,
      text: r.text ?? '',
    }))
    .filter((r) => (r.intent !== null && intents.has(r.intent)) || r.tags.some((t) => tagged.has(t)));
}
