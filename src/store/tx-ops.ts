import { type Kysely, sql } from 'kysely';
import type { Fact } from '../facts/derive.ts';
import { statsOf } from '../facts/derive.ts';
import { newId } from '../ids.ts';
import type { Conversation, ConversationStatus, DeliveryStatus, Message } from '../model/types.ts';
import { type BlobSweepRecords, blobSweepRecords } from './blob-sweeps.ts';
import { type BugRecords, bugRecords } from './bug-records.ts';
import * as complaints from './complaint-reads.ts';
import type {
  ConversationPatch,
  InboundEvent,
  InboundTurn,
  NewConversation,
  NewMessage,
  NewTimer,
  OutboxJob,
  StoreTx,
  Timer,
  TransactionOptions,
} from './contract.ts';
import * as conversationEvents from './conversation-events.ts';
import * as desk from './desk-records.ts';
import * as facts from './facts.ts';
import * as hot from './hot-queries.ts';
import * as inbound from './inbound.ts';
import * as media from './media-fetches.ts';
import { OperationsTxOps } from './operations-tx-ops.ts';
import type { OutEvents } from './out-events.ts';
import * as outEvents from './out-events.ts';
import * as outbox from './outbox.ts';
import { atomic, atomicCtx, CANCELLED, clampLimit, count, DONE, PENDING } from './query-helpers.ts';
import * as reads from './reads.ts';
import { type ConversationRow, conversationColumns, conversationFromRow, messageToRow, toJson } from './rows.ts';
import type { Database, StoreKind } from './schema.ts';
import type { SqliteStatements } from './sqlite-dialect.ts';
import { webhookQueue } from './webhook-deliveries.ts';

/** Email References chains grow long; the latest ids are the ones that find the thread. */
const MAX_PROVIDER_IDS = 100;

export interface TxExtras {
  /** SQLite's statement cache, for the prepared queries (src/store/hot-queries.ts). */
  statements?: SqliteStatements | undefined;
  adopt?: TransactionOptions['adopt'];
  out?: OutEvents | undefined;
}

/** The StoreTx operations over one Kysely handle: the root pool, or a transaction. */
export class KyselyTx extends OperationsTxOps implements StoreTx {
  readonly #adopt: TransactionOptions['adopt'];

  constructor(db: Kysely<Database>, kind: StoreKind, extras: TxExtras = {}) {
    super(db, kind, extras.statements, extras.out);
    this.#adopt = extras.adopt;
  }

  async lockThread(channel: string, threadKey: string): Promise<void> {
    // One SQLite connection already runs one transaction at a time.
    if (this.kind !== 'postgres') return;
    await sql`select pg_advisory_xact_lock(hashtext(${`${channel}:${threadKey}`}))`.execute(this.db);
  }

  async lockThreads(threads: ReadonlyArray<{ channel: string; threadKey: string }>): Promise<void> {
    if (this.kind !== 'postgres' || threads.length === 0) return;
    const keys = [...new Set(threads.map((t) => `${t.channel}:${t.threadKey}`))];
    // The same keys as lockThread's, taken in ascending order of the key (the sorted subquery feeds the calls in order).
    await sql`select pg_advisory_xact_lock(k) from (select distinct hashtext(x) as k from unnest(${keys}::text[]) as x order by k) as s`.execute(
      this.db,
    );
  }

  // Suppressions live in the key-value state table: one row per address, erased with the contact's data.
  suppress(channel: string, address: string, reason: { reason: string; at: number } | null): Promise<void> {
    return reads.setState(this.ctx, `suppressed:${channel}`, address.toLowerCase(), reason);
  }

  suppressed(channel: string, address: string): Promise<{ reason: string; at: number } | null> {
    return reads.getState(this.ctx, `suppressed:${channel}`, address.toLowerCase());
  }

  async findConversationByProviderIds(channel: string, providerIds: string[]): Promise<Conversation | null> {
    const ids = [...new Set(providerIds.slice(-MAX_PROVIDER_IDS))];
    if (ids.length === 0) return null;
    const row = await this.db
      .selectFrom('messages')
      .innerJoin('conversations', 'conversations.id', 'messages.conversation_id')
      .selectAll('conversations')
      .where('messages.channel', '=', channel)
      .where('messages.provider_id', 'in', ids)
      .orderBy('conversations.updated_at', 'desc')
      .orderBy('conversations.id', 'desc')
      .limit(1)
      .executeTakeFirst();
    return row ? conversationFromRow(row) : null;
  }

  async findConversationByThread(
    channel: string,
    threadKey: string,
    statuses: ConversationStatus[],
  ): Promise<Conversation | null> {
    let best: { id: string; updated_at: number } | null = null;
    for (const c of await hot.conversationsOfThread.rows(this.ctx, { channel, threadKey })) {
      if (!statuses.includes(c.status as ConversationStatus)) continue;
      if (!best || c.updated_at > best.updated_at || (c.updated_at === best.updated_at && c.id > best.id)) best = c;
    }
    return best ? this.getConversation(best.id) : null;
  }

  async findConversationsOfContact(
    contactId: string,
    opts: { statuses?: ConversationStatus[]; channel?: string; limit?: number } = {},
  ): Promise<Conversation[]> {
    const { statuses, channel } = opts;
    const limit = clampLimit(opts.limit, 100);
    if (statuses?.length === 0) return [];
    const rows = await this.db
      .selectFrom('conversations')
      .selectAll()
      .where('contact_id', '=', contactId)
      .$if(statuses !== undefined, (q) => q.where('status', 'in', statuses ?? []))
      .$if(channel !== undefined, (q) => q.where('channel', '=', channel ?? ''))
      .orderBy('updated_at', 'desc')
      .orderBy('id', 'desc')
      .limit(limit)
      .execute();
    return rows.map(conversationFromRow);
  }

  async getConversation(id: string): Promise<Conversation | null> {
    const row = await hot.conversationById.first(this.ctx, { id });
    return row ? conversationFromRow(row) : null;
  }

  async createConversation(conversation: NewConversation, now: number): Promise<Conversation> {
    const created: Conversation = { ...conversation, id: newId(), createdAt: now, updatedAt: now };
    const row = { id: created.id, ...conversationColumns(created) } as ConversationRow;
    await atomicCtx(this.ctx, async (ctx) => {
      await hot.insertConversation.of(Object.keys(row).join(',')).run(ctx, row);
      await facts.insertStats(ctx, statsOf(created));
      await outEvents.emit(ctx, 'conversation.created', created.id, {
        conversation: outEvents.conversationData(created),
      });
    });
    return created;
  }

  async updateConversation(id: string, patch: ConversationPatch, now: number): Promise<void> {
    const columns: Record<string, unknown> = conversationColumns(patch);
    columns.updated_at = patch.updatedAt ?? now;
    await atomicCtx(this.ctx, async (ctx) => {
      const before = await conversationEvents.before(ctx, id, patch);
      await hot.updateConversation.of(Object.keys(columns).join(',')).run(ctx, { ...columns, id });
      await facts.factsOfChange(ctx, id, patch, now);
      if (before) await conversationEvents.after(ctx, before);
    });
  }

  async recordFact(conversationId: string, kind: Fact['kind'], at: number, more: Partial<Fact>): Promise<void> {
    if (kind !== 'csat' || !outEvents.wanted(this.ctx, 'csat.received')) {
      await facts.recordFact(this.ctx, conversationId, kind, at, more);
      return;
    }
    await atomicCtx(this.ctx, async (ctx) => {
      await facts.recordFact(ctx, conversationId, kind, at, more);
      await conversationEvents.csat(ctx, conversationId, more);
    });
  }

  recordResolution(r: desk.NewResolution): Promise<desk.Resolution> {
    return desk.recordResolution(this.ctx, r);
  }

  resolutionsBetween(from: number, to: number): Promise<desk.Resolution[]> {
    return desk.resolutionsBetween(this.ctx, from, to);
  }

  openCounts(agents: string[]): Promise<Map<string, number>> {
    return desk.openCounts(this.ctx, agents);
  }

  updateDelivery(
    channel: string,
    providerId: string,
    status: DeliveryStatus,
    error: string | null,
  ): Promise<Message | null> {
    if (!outEvents.wanted(this.ctx, 'message.delivery')) {
      return reads.updateDelivery(this.ctx, channel, providerId, status, error);
    }
    return atomicCtx(this.ctx, async (ctx) => {
      const before = await conversationEvents.deliveryStatus(ctx, channel, providerId);
      const message = await reads.updateDelivery(ctx, channel, providerId, status, error);
      if (message && message.status !== before) await conversationEvents.delivery(ctx, message);
      return message;
    });
  }

  async insertMessage(message: NewMessage, now: number): Promise<Message> {
    const created: Message = {
      ...message,
      error: message.error ?? null,
      id: newId(),
      createdAt: message.createdAt ?? now,
    };
    const { channel: _, ...row } = messageToRow(created, '');
    await atomicCtx(this.ctx, async (ctx) => {
      await hot.insertMessage.of(Object.keys(row).join(',')).run(ctx, row);
      await facts.factsOfMessage(ctx, created);
      // Files the provider only links to are fetched after the commit, never inside it (src/attachments/).
      if (created.direction === 'inbound' && created.attachments.length > 0) {
        await media.queueFetches(ctx, created, now);
      }
      await outEvents.emit(ctx, 'message.created', created.conversationId, {
        message: outEvents.messageData(created),
      });
    });
    return created;
  }

  async enqueueOutbound(
    job: { messageId: string; conversationId: string; channel: string; destination: string; dueAt: number },
    now: number,
    sending?: { message: Message; conversation: Conversation },
  ): Promise<OutboxJob> {
    const created: OutboxJob = {
      ...job,
      id: newId(),
      attempts: 0,
      lastError: null,
      createdAt: now,
      attemptedAt: null,
    };
    // Only a row due now is handed over: a later one waits for a claim like any other.
    const adopt = this.#adopt && sending && job.dueAt <= now ? this.#adopt : null;
    const leaseUntil = adopt ? now + adopt.leaseMs : null;
    await hot.insertOutbox.run(this.ctx, {
      id: created.id,
      message_id: job.messageId,
      conversation_id: job.conversationId,
      channel: job.channel,
      destination: job.destination,
      due_at: job.dueAt,
      lease_owner: adopt?.owner ?? null,
      lease_until: leaseUntil,
      created_at: now,
    });
    if (adopt && sending && leaseUntil !== null) adopt.adopted.push({ job: created, leaseUntil, ...sending });
    return created;
  }

  scheduleTimer(timer: NewTimer, now: number): Promise<Timer> {
    const created: Timer = {
      id: newId(),
      kind: timer.kind,
      conversationId: timer.conversationId ?? null,
      dueAt: timer.dueAt,
      payload: timer.payload ?? {},
      key: timer.key ?? null,
      attempts: 0,
    };
    return atomic(this.db, async (db) => {
      // The replaced timer is cancelled, not reused: a worker firing it right now completes only that old row.
      if (created.key !== null) await cancelByKey(db, created.key);
      await db
        .insertInto('timers')
        .values({
          id: created.id,
          kind: created.kind,
          conversation_id: created.conversationId,
          due_at: created.dueAt,
          payload: toJson(created.payload),
          key: created.key,
          status: 'pending',
          attempts: 0,
          last_error: null,
          lease_owner: null,
          lease_until: null,
          created_at: now,
          completed_at: null,
        })
        .execute();
      return created;
    });
  }

  async cancelTimers(conversationId: string, kindPrefix: string): Promise<number> {
    // substr, not LIKE: SQLite's LIKE ignores case and both treat `_` and `%` as wildcards.
    const result = await this.db
      .updateTable('timers')
      .set({ status: CANCELLED, lease_owner: null, lease_until: null })
      .where('conversation_id', '=', conversationId)
      .where('status', '=', PENDING)
      .where((eb) => eb(eb.fn('substr', ['kind', sql.lit(1), eb.val([...kindPrefix].length)]), '=', kindPrefix))
      .executeTakeFirst();
    return count(result.numUpdatedRows);
  }

  timerPending(key: string): Promise<boolean> {
    return complaints.timerPending(this.ctx, key);
  }

  publicComplaints(labels: string[], from: number, to: number, latest: number) {
    return complaints.publicComplaints(this.ctx, labels, from, to, latest);
  }

  async cancelTimerByKey(key: string): Promise<boolean> {
    return (await cancelByKey(this.db, key)) > 0;
  }

  async completeTimer(id: string, now: number): Promise<void> {
    await this.db
      .updateTable('timers')
      .set({ status: DONE, completed_at: now, lease_owner: null, lease_until: null })
      .where('id', '=', id)
      .where('status', '=', PENDING)
      .execute();
  }

  inboundTurn(
    event: Pick<InboundEvent, 'id' | 'channel' | 'threadKey' | 'receivedAt'>,
    owner: string,
    now: number,
  ): Promise<InboundTurn> {
    return inbound.inboundTurn(this.ctx, event, owner, now);
  }

  async completeInbound(eventId: string, now: number, conversationId: string | null): Promise<void> {
    await hot.completeInbound.run(this.ctx, { id: eventId, now, conversationId });
  }

  /** Bugs logged in the tracker and their linked conversations (src/bugs). */
  get bugs(): BugRecords {
    return bugRecords(this.ctx);
  }

  get blobSweeps(): BlobSweepRecords {
    return blobSweepRecords(this.ctx);
  }

  async retryDeadLetter(jobId: string, now: number): Promise<boolean> {
    return (await outbox.retryDeadLetter(this.ctx, jobId, now)) || (await webhookQueue(this.ctx).retryDead(jobId, now));
  }
}

async function cancelByKey(db: Kysely<Database>, key: string): Promise<number> {
  const result = await db
    .updateTable('timers')
    .set({ status: CANCELLED, lease_owner: null, lease_until: null })
    .where('key', '=', key)
    .where('status', '=', PENDING)
    .executeTakeFirst();
  return count(result.numUpdatedRows);
}
