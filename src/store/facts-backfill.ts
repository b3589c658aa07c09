import type { Kysely } from 'kysely';
import { type ConversationStats, type Fact, onChange, onMessage, statsOf } from '../facts/derive.ts';
import type { AuthorKind, ConversationStatus, Direction, SlaState } from '../model/types.ts';
import { factToRow, statsToRow } from './facts.ts';
import { fromJson } from './rows.ts';
import type { Database } from './schema.ts';

const PAGE = 500;

/**
 * Facts for conversations stored before facts were written: the responses
 * (first, next, by bot and by person) replayed from the stored messages, and
 * the state the conversation is in now. Resolution and reopen instants were
 * never stored, so they are not invented.
 */
export async function backfillFacts(db: Kysely<Database>): Promise<void> {
  let after = '';
  for (;;) {
    const page = await db
      .selectFrom('conversations')
      .select(['id', 'channel', 'created_at', 'status', 'assignee', 'tags', 'sla'])
      .where('id', '>', after)
      .orderBy('id')
      .limit(PAGE)
      .execute();
    if (page.length === 0) return;
    after = page[page.length - 1]?.id ?? after;
    const messages = await db
      .selectFrom('messages')
      .select(['conversation_id', 'direction', 'author_kind', 'author_id', 'status', 'visibility', 'created_at'])
      .where(
        'conversation_id',
        'in',
        page.map((c) => c.id),
      )
      .where('visibility', '=', 'customer')
      .orderBy('created_at')
      .orderBy('id')
      .execute();
    const byConversation = Map.groupBy(messages, (m) => m.conversation_id);
    const rows: ConversationStats[] = [];
    const facts: Fact[] = [];
    for (const c of page) {
      let s = statsOf({
        id: c.id,
        touchpoint: { channel: c.channel, kind: '', visibility: 'private' },
        createdAt: Number(c.created_at),
        status: 'open',
        assignee: null,
      });
      for (const m of byConversation.get(c.id) ?? []) {
        const d = onMessage(s, {
          direction: m.direction as Direction,
          author: { kind: m.author_kind as AuthorKind, id: m.author_id },
          visibility: 'customer',
          status: m.status as 'sent',
          createdAt: Number(m.created_at),
        });
        s = d.stats;
        facts.push(...d.facts);
      }
      const tags = fromJson<string[]>(c.tags);
      const sla = fromJson<SlaState>(c.sla);
      // the present state only: no fact for a resolution whose instant is unknown
      s = onChange(s, { tags, sla, assignee: c.assignee }, Number(c.created_at)).stats;
      rows.push({ ...s, status: c.status as ConversationStatus });
    }
    await db.insertInto('conversation_facts').values(rows.map(statsToRow)).execute();
    for (let i = 0; i < facts.length; i += PAGE)
      await db
        .insertInto('facts')
        .values(facts.slice(i, i + PAGE).map(factToRow))
        .execute();
  }
}
