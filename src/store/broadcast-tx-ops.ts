import { sql } from 'kysely';
import { newId } from '../ids.ts';
import type { Contact } from '../model/types.ts';
import type {
  Broadcast,
  BroadcastOutcomes,
  BroadcastProgress,
  BroadcastStatus,
  BroadcastTx,
  NewBroadcast,
  Recipient,
  RecipientOutcome,
  RecipientStatus,
  Segment,
} from './broadcast-records.ts';
import { attributeText } from './contacts.ts';
import { PrivacyTxOps } from './privacy-tx-ops.ts';
import { clampLimit, count, PENDING } from './query-helpers.ts';
import { contactFromRow, fromJson, toJson } from './rows.ts';
import type { BroadcastRecipientsTable, BroadcastsTable } from './schema.ts';

const DEAD = sql.lit('dead');

const broadcastFromRow = (r: BroadcastsTable): Broadcast => ({
  id: r.id,
  name: r.name,
  channel: r.channel,
  segment: fromJson(r.segment),
  message: fromJson(r.message),
  quietHours: Number(r.quiet_hours) === 1,
  status: r.status as BroadcastStatus,
  startAt: Number(r.start_at),
  expandAfter: r.expand_after,
  expanded: Number(r.expanded) === 1,
  createdBy: r.created_by,
  createdAt: Number(r.created_at),
  updatedAt: Number(r.updated_at),
});

const recipientFromRow = (r: BroadcastRecipientsTable): Recipient => ({
  id: r.id,
  broadcastId: r.broadcast_id,
  contactId: r.contact_id,
  status: r.status as RecipientStatus,
  dueAt: Number(r.due_at),
  reason: r.reason,
  conversationId: r.conversation_id,
  messageId: r.message_id,
});

/** Broadcasts and their recipients, on top of the privacy operations; `KyselyTx` (tx-ops.ts) adds the rest. */
export class BroadcastTxOps extends PrivacyTxOps implements BroadcastTx {
  async createBroadcast(b: NewBroadcast): Promise<Broadcast> {
    const created: Broadcast = { ...b, id: newId(), expandAfter: null, expanded: false, updatedAt: b.createdAt };
    await this.db
      .insertInto('broadcasts')
      .values({
        id: created.id,
        name: b.name,
        channel: b.channel,
        segment: toJson(b.segment),
        message: toJson(b.message),
        quiet_hours: b.quietHours ? 1 : 0,
        status: b.status,
        start_at: b.startAt,
        expand_after: null,
        expanded: 0,
        created_by: b.createdBy,
        created_at: b.createdAt,
        updated_at: b.createdAt,
      })
      .execute();
    return created;
  }

  async getBroadcast(id: string): Promise<Broadcast | null> {
    const row = await this.db.selectFrom('broadcasts').selectAll().where('id', '=', id).executeTakeFirst();
    return row ? broadcastFromRow(row) : null;
  }

  async listBroadcasts(limit?: number): Promise<Broadcast[]> {
    const rows = await this.db
      .selectFrom('broadcasts')
      .selectAll()
      .orderBy('created_at', 'desc')
      .orderBy('id', 'desc')
      .limit(clampLimit(limit, 50))
      .execute();
    return rows.map(broadcastFromRow);
  }

  async activeBroadcasts(now: number): Promise<Broadcast[]> {
    const rows = await this.db
      .selectFrom('broadcasts')
      .selectAll()
      .where((eb) =>
        eb.or([eb('status', '=', 'running'), eb.and([eb('status', '=', 'scheduled'), eb('start_at', '<=', now)])]),
      )
      .orderBy('start_at')
      .orderBy('id')
      .execute();
    return rows.map(broadcastFromRow);
  }

  async setBroadcastStatus(id: string, from: BroadcastStatus[], to: BroadcastStatus, now: number): Promise<boolean> {
    const r = await this.db
      .updateTable('broadcasts')
      .set({ status: to, updated_at: now })
      .where('id', '=', id)
      .where('status', 'in', from)
      .executeTakeFirst();
    return count(r.numUpdatedRows) === 1;
  }

  async segmentPage(segment: Segment, afterId: string | null, limit: number): Promise<Contact[]> {
    let q = this.segmentQuery(segment).selectAll();
    if (afterId !== null) q = q.where('id', '>', afterId);
    const rows = await q
      .orderBy('id')
      .limit(clampLimit(limit, 500, 5000))
      .execute();
    return rows.map(contactFromRow);
  }

  async segmentSize(segment: Segment): Promise<number> {
    const row = await this.segmentQuery(segment)
      .select((eb) => eb.fn.countAll<number>().as('n'))
      .executeTakeFirst();
    return count(row?.n);
  }

  private segmentQuery(segment: Segment) {
    const lastInbound = sql<
      number | null
    >`(select max(last_inbound_at) from conversations where conversations.contact_id = contacts.id)`;
    let q = this.db
      .selectFrom('contacts')
      .where('id', 'not in', (eb) => eb.selectFrom('contact_merges').select('from_id'));
    for (const tag of segment.tags ?? []) {
      q = q.where('id', 'in', (eb) => eb.selectFrom('contact_tags').select('contact_id').where('tag', '=', tag));
    }
    for (const [name, value] of Object.entries(segment.attributes ?? {})) {
      q = q.where(attributeText(this.ctx, name), '=', value);
    }
    if (segment.vip !== undefined) q = q.where('vip', '=', segment.vip ? 1 : 0);
    const channel = segment.channel;
    if (channel !== undefined) {
      q = q.where('id', 'in', (eb) =>
        eb.selectFrom('conversations').select('contact_id').where('channel', '=', channel),
      );
    }
    const bug = segment.bug;
    if (bug !== undefined) {
      q = q.where('id', 'in', (eb) =>
        eb
          .selectFrom('conversations')
          .innerJoin('bug_links', 'bug_links.conversation_id', 'conversations.id')
          .select('conversations.contact_id')
          .where('bug_links.bug_id', '=', bug),
      );
    }
    if (segment.lastContactAfter !== undefined) q = q.where(lastInbound, '>=', segment.lastContactAfter);
    if (segment.lastContactBefore !== undefined) q = q.where(lastInbound, '<', segment.lastContactBefore);
    return q;
  }

  async addRecipients(
    broadcastId: string,
    contactIds: string[],
    upTo: string | null,
    done: boolean,
    now: number,
  ): Promise<number> {
    let added = 0;
    // Chunks keep each statement under SQLite's bound-parameter limit.
    for (let i = 0; i < contactIds.length; i += 100) {
      const values = contactIds.slice(i, i + 100).map((contactId) => ({
        id: newId(),
        broadcast_id: broadcastId,
        contact_id: contactId,
        status: 'pending',
        due_at: now,
        reason: null,
        conversation_id: null,
        message_id: null,
        updated_at: now,
      }));
      const r = await this.db
        .insertInto('broadcast_recipients')
        .values(values)
        .onConflict((oc) => oc.columns(['broadcast_id', 'contact_id']).doNothing())
        .executeTakeFirst();
      added += count(r.numInsertedOrUpdatedRows);
    }
    await this.db
      .updateTable('broadcasts')
      .set({ expand_after: upTo, expanded: done ? 1 : 0, updated_at: now })
      .where('id', '=', broadcastId)
      .execute();
    return added;
  }

  async dueRecipients(broadcastId: string, now: number, limit: number): Promise<Recipient[]> {
    const rows = await this.db
      .selectFrom('broadcast_recipients')
      .selectAll()
      .where('broadcast_id', '=', broadcastId)
      .where('status', '=', PENDING)
      .where('due_at', '<=', now)
      .orderBy('due_at')
      .orderBy('id')
      .limit(clampLimit(limit, 100, 10_000))
      .execute();
    return rows.map(recipientFromRow);
  }

  async settleRecipient(id: string, outcome: RecipientOutcome, now: number): Promise<boolean> {
    const r = await this.outcomeUpdate(id, outcome, now).where('status', '=', PENDING).executeTakeFirst();
    return count(r.numUpdatedRows) === 1;
  }

  async recordRecipient(id: string, outcome: RecipientOutcome, now: number): Promise<void> {
    await this.outcomeUpdate(id, outcome, now).execute();
  }

  private outcomeUpdate(id: string, outcome: RecipientOutcome, now: number) {
    return this.db
      .updateTable('broadcast_recipients')
      .set({
        status: outcome.status,
        reason: outcome.reason ?? null,
        conversation_id: outcome.conversationId ?? null,
        message_id: outcome.messageId ?? null,
        updated_at: now,
      })
      .where('id', '=', id);
  }

  async deferRecipient(id: string, dueAt: number, reason: string, now: number): Promise<void> {
    await this.db
      .updateTable('broadcast_recipients')
      .set({ due_at: dueAt, reason, updated_at: now })
      .where('id', '=', id)
      .where('status', '=', PENDING)
      .execute();
  }

  async cancelRecipients(broadcastId: string, now: number): Promise<number> {
    const r = await this.db
      .updateTable('broadcast_recipients')
      .set({ status: 'cancelled', reason: 'the broadcast was cancelled', updated_at: now })
      .where('broadcast_id', '=', broadcastId)
      .where('status', '=', PENDING)
      .executeTakeFirst();
    return count(r.numUpdatedRows);
  }

  broadcastInFlight(broadcastId: string): Promise<number> {
    return this.outboxRowsOf(broadcastId, PENDING);
  }

  /**
   * A broadcast's rows of one outbox status: found from the outbox's rows of that status (a window's
   * worth waiting, the few dead), each looked up by its message, so the cost does not grow with the
   * recipients already sent to. Sent rows are the many: they are counted as the rest.
   */
  private async outboxRowsOf(broadcastId: string, status: typeof PENDING | typeof DEAD): Promise<number> {
    const row = await this.db
      .selectFrom('outbox')
      .select((eb) => eb.fn.countAll<number>().as('n'))
      .where('outbox.status', '=', status)
      .where(({ exists, selectFrom }) =>
        exists(
          selectFrom('broadcast_recipients as r')
            .select('r.id')
            .whereRef('r.message_id', '=', 'outbox.message_id')
            .where('r.broadcast_id', '=', broadcastId),
        ),
      )
      .executeTakeFirst();
    return count(row?.n);
  }

  async broadcastProgress(broadcastId: string): Promise<BroadcastProgress> {
    const byStatus = await this.db
      .selectFrom('broadcast_recipients')
      .select(['status', (eb) => eb.fn.countAll<number>().as('n')])
      .where('broadcast_id', '=', broadcastId)
      .groupBy('status')
      .execute();
    const of = (s: string) => Number(byStatus.find((r) => r.status === s)?.n ?? 0);
    const queued = of('queued');
    const waiting = await this.outboxRowsOf(broadcastId, PENDING);
    const failed = await this.outboxRowsOf(broadcastId, DEAD);
    const p: BroadcastProgress = {
      recipients: 0,
      pending: of('pending'),
      queued,
      // A queued message leaves the outbox sent or dead: what is neither waiting nor dead was sent.
      sent: queued - waiting - failed,
      waiting,
      failed,
      skipped: of('skipped'),
      cancelled: of('cancelled'),
    };
    p.recipients = p.pending + p.queued + p.skipped + p.cancelled;
    return p;
  }

  async broadcastOutcomes(broadcastId: string): Promise<BroadcastOutcomes> {
    const rows = await this.db
      .selectFrom('broadcast_recipients')
      .select(['status', 'reason', (eb) => eb.fn.countAll<number>().as('n')])
      .where('broadcast_id', '=', broadcastId)
      .where('status', 'in', ['skipped', PENDING])
      .where('reason', 'is not', null)
      .groupBy(['status', 'reason'])
      .execute();
    // A reply: a customer message in the recipient's conversation since their message was queued.
    const replied = await this.db
      .selectFrom('broadcast_recipients as r')
      .select((eb) => eb.fn.countAll<number>().as('n'))
      .where('r.broadcast_id', '=', broadcastId)
      .where('r.status', '=', 'queued')
      .where(({ exists, selectFrom }) =>
        exists(
          selectFrom('messages as m')
            .select('m.id')
            .whereRef('m.conversation_id', '=', 'r.conversation_id')
            .whereRef('m.created_at', '>=', 'r.updated_at')
            .where('m.direction', '=', 'inbound')
            .where('m.visibility', '=', 'customer'),
        ),
      )
      .executeTakeFirst();
    return {
      reasons: rows.map((r) => ({
        status: r.status as 'skipped' | 'pending',
        reason: r.reason ?? '',
        recipients: Number(r.n),
      })),
      replied: count(replied?.n),
    };
  }

  async broadcastOfConversation(conversationId: string): Promise<{ id: string; name: string } | null> {
    const row = await this.db
      .selectFrom('broadcast_recipients')
      .innerJoin('broadcasts', 'broadcasts.id', 'broadcast_recipients.broadcast_id')
      .select(['broadcasts.id as id', 'broadcasts.name as name'])
      .where('broadcast_recipients.conversation_id', '=', conversationId)
      .where('broadcast_recipients.status', '=', 'queued')
      .orderBy('broadcast_recipients.updated_at', 'desc')
      .limit(1)
      .executeTakeFirst();
    return row ?? null;
  }
}
