import type { Kysely } from 'kysely';
import type { FactKind } from '../facts/derive.ts';
import { createGroupCommit, type GroupCommit } from '../group-commit.ts';
import type { Logger } from '../log.ts';
import type { Attachment, Conversation, DeliveryStatus, Message } from '../model/types.ts';
import { type BrowsedConversation, type BrowseQuery, browseConversations } from './browse.ts';
import type { Checkpointer } from './checkpointer.ts';
import { releaseLease, renewLease } from './claim.ts';
import type {
  ConversationQuery,
  DeadLetter,
  InboundEvent,
  InboundStatus,
  Lease,
  MediaFetch,
  NewInbound,
  NewUnreadable,
  OutboxJob,
  Reservation,
  Store,
  StoreTx,
  Timer,
  TransactionOptions,
  UnreadableInbound,
} from './contract.ts';
import * as factReads from './fact-reads.ts';
import { type FeedbackRow, labelledConversations } from './feedback-reads.ts';
import * as inbound from './inbound.ts';
import * as instances from './instances.ts';
import type { LifeSession, OpenLifeSession } from './life-session.ts';
import * as media from './media-fetches.ts';
import { migrate } from './migrations.ts';
import { type OperationalStats, operationalStats } from './ops-stats.ts';
import { OutEvents } from './out-events.ts';
import * as outbox from './outbox.ts';
import * as queues from './outbox-queue.ts';
import { atomicCtx, type Ctx } from './query-helpers.ts';
import * as reads from './reads.ts';
import * as retention from './retention.ts';
import type { Database, StoreKind } from './schema.ts';
import type { SqliteStatements } from './sqlite-dialect.ts';
import * as timers from './timers.ts';
import { KyselyTx } from './tx-ops.ts';
import * as unreadable from './unreadable.ts';
import type { WalSync } from './wal-sync.ts';
import { asDeadLetter, type WebhookQueue, webhookQueue } from './webhook-deliveries.ts';

/**
 * The one Store over Kysely, for both SQLite and PostgreSQL. Dialect
 * differences stay in the query modules and are few: row locks with SKIP
 * LOCKED and advisory locks on PostgreSQL only.
 */
export class KyselyStore extends KyselyTx implements Store {
  readonly #log: Logger;

  readonly #sent: GroupCommit<outbox.SentRecord, void>;
  readonly #attempted: GroupCommit<{ jobId: string; now: number }, void>;

  readonly #walSync: WalSync | undefined;
  readonly #openLife: OpenLifeSession | undefined;
  /** This process's instances' life sessions (PostgreSQL), by instance id. */
  readonly #lives = new Map<string, LifeSession>();
  readonly #checkpointer: Checkpointer | undefined;

  /**
   * `walSync` (SQLite with synchronous = full): commits do not flush the WAL;
   * `durable()` does, off the event loop (wal-sync.ts), for every commit
   * before it. Callers wait for it only where a promise rests on a commit:
   * an acknowledgement, a send.
   */
  constructor(
    db: Kysely<Database>,
    kind: StoreKind,
    log: Logger,
    opts: {
      walSync?: WalSync;
      checkpointer?: Checkpointer;
      statements?: SqliteStatements;
      lifeSession?: OpenLifeSession;
    } = {},
  ) {
    super(db, kind, { statements: opts.statements, out: new OutEvents() });
    this.#walSync = opts.walSync;
    this.#checkpointer = opts.checkpointer;
    this.#openLife = opts.lifeSession;
    this.#log = log;
    this.#sent = createGroupCommit((items) =>
      db.transaction().execute(async (trx) => {
        const ctx: Ctx = { db: trx, kind, statements: opts.statements, out: this.ctx.out };
        await outbox.markSentMany(ctx, items);
        return items.map(() => undefined);
      }),
    );
    this.#attempted = createGroupCommit(
      async (items) => {
        const ctx: Ctx = { db, kind, statements: opts.statements };
        // One statement per instant: sends starting together mostly share it.
        const byTime = Map.groupBy(items, (i) => i.now);
        await db.transaction().execute(async (trx) => {
          for (const [now, group] of byTime)
            await outbox.markAttempted({ ...ctx, db: trx }, [...new Set(group.map((g) => g.jobId))], now);
        });
        return items.map(() => undefined);
      },
      { durable: () => this.durable() },
    );
  }

  /** The webhook subscriptions the store writes events for (set by the app, again on a reload). */
  get outEvents(): OutEvents {
    return this.ctx.out as OutEvents;
  }

  /** Webhooks out waiting to be sent, sent and dead (src/webhooks). */
  get webhooks(): WebhookQueue {
    return webhookQueue(this.ctx);
  }

  migrate(): Promise<void> {
    return migrate(this.db, this.kind, this.#log);
  }

  async close(): Promise<void> {
    await Promise.all([...this.#lives.values()].map((l) => l.end()));
    this.#lives.clear();
    await this.#attempted.flush();
    await this.#sent.flush();
    await this.#walSync?.close();
    // Its connection goes first: the last one to close folds the WAL back into the database.
    await this.#checkpointer?.stop();
    return this.db.destroy();
  }

  /**
   * Runs `fn` in one transaction, committed when it resolves and rolled back
   * when it throws. Inside, use only `tx`: on SQLite the store's own methods
   * wait for the transaction's connection and would never run.
   */
  transaction<T>(fn: (tx: StoreTx) => Promise<T>, options: TransactionOptions = {}): Promise<T> {
    const extras = { statements: this.ctx.statements, adopt: options.adopt, out: this.ctx.out };
    return this.db.transaction().execute((trx) => fn(new KyselyTx(trx, this.kind, extras)));
  }

  insertInbound(events: NewInbound[], reserve?: Reservation): Promise<Array<{ eventId: string; duplicate: boolean }>> {
    return inbound.insertInbound(this.ctx, events, reserve);
  }

  claimInbound(lease: Lease): Promise<InboundEvent[]> {
    return inbound.claimInbound(this.ctx, lease);
  }

  failInbound(eventId: string, error: string, retryAt: number, final: boolean): Promise<void> {
    return inbound.failInbound(this.ctx, eventId, error, retryAt, final);
  }

  countInbound(status: InboundStatus): Promise<number> {
    return inbound.countInbound(this.ctx, status);
  }

  keepUnreadable(record: NewUnreadable): Promise<string> {
    return unreadable.keepUnreadable(this.ctx, record);
  }

  listUnreadable(limit?: number): Promise<UnreadableInbound[]> {
    return unreadable.listUnreadable(this.ctx, limit);
  }

  /** Durable before it resolves: the claimed rows are sent at once, and so is every decision committed before them. */
  async claimOutbox(lease: Lease): Promise<OutboxJob[]> {
    const jobs = await outbox.claimOutbox(this.ctx, lease);
    await this.durable();
    return jobs;
  }

  durable(): Promise<void> {
    return this.#walSync ? this.#walSync.sync() : Promise.resolve();
  }

  loadOutbound(
    job: OutboxJob,
    opts: { references?: boolean } = {},
  ): Promise<{ message: Message; conversation: Conversation; references: string[] } | null> {
    return outbox.loadOutbound(this.ctx, job, opts.references !== false);
  }

  threadReferences(message: Message): Promise<string[]> {
    return outbox.threadReferences(this.ctx, message);
  }

  /** Group-committed: concurrent sends record their outcome in one transaction. */
  markSent(jobId: string, providerId: string | null, status: DeliveryStatus, now: number): Promise<void> {
    return this.#sent.submit({ jobId, providerId, status, now });
  }

  /** Group-committed like markSent (concurrent sends record their start in one transaction), and durable when it resolves. */
  renewOutboxLease(jobId: string, owner: string, until: number): Promise<boolean> {
    return renewLease(this.ctx, 'outbox', jobId, owner, until);
  }

  async releaseOutboxLease(jobId: string, owner: string): Promise<void> {
    await releaseLease(this.ctx, 'outbox', jobId, owner);
  }

  markAttempted(jobId: string, now: number): Promise<void> {
    return this.#attempted.submit({ jobId, now });
  }

  rescheduleOutbox(jobId: string, dueAt: number, error: string, countAttempt: boolean, settled = false): Promise<void> {
    return outbox.rescheduleOutbox(this.ctx, jobId, dueAt, error, countAttempt, settled);
  }

  deadLetter(jobId: string, error: string, now: number, settled = false): Promise<void> {
    return outbox.deadLetter(this.ctx, jobId, error, now, settled);
  }

  sentProviderIds(conversationId: string): Promise<string[]> {
    return outbox.sentProviderIds(this.ctx, conversationId);
  }

  /** The outbox's dead letters and the dead webhooks together, newest first. */
  async listDeadLetters(limit?: number): Promise<DeadLetter[]> {
    const [messages, hooks] = await Promise.all([
      outbox.listDeadLetters(this.ctx, limit),
      this.webhooks.listDead(limit),
    ]);
    const all = [...messages, ...hooks.map(asDeadLetter)];
    all.sort((a, b) => b.failedAt - a.failedAt || (a.id < b.id ? 1 : -1));
    return all.slice(0, limit ?? 100);
  }

  countOutbox(status: 'pending' | 'sent' | 'dead'): Promise<number> {
    return outbox.countOutbox(this.ctx, status);
  }

  claimMediaFetches(lease: Lease): Promise<MediaFetch[]> {
    return media.claimFetches(this.ctx, lease);
  }

  finishMediaFetch(fetch: MediaFetch, owner: string, patch: Partial<Attachment>, now: number): Promise<boolean> {
    return atomicCtx(this.ctx, (ctx) => media.finishFetch(ctx, fetch, owner, patch, now));
  }

  retryMediaFetch(id: string, owner: string, dueAt: number, error: string): Promise<void> {
    return media.retryFetch(this.ctx, id, owner, dueAt, error);
  }

  nextMediaFetchAt(): Promise<number | null> {
    return media.nextFetchAt(this.ctx);
  }

  pendingMediaFetches(): Promise<number> {
    return media.pendingFetches(this.ctx);
  }

  claimTimers(lease: Lease, skipKinds?: readonly string[]): Promise<Timer[]> {
    return timers.claimTimers(this.ctx, lease, skipKinds);
  }

  rescheduleTimer(id: string, dueAt: number, error: string): Promise<void> {
    return timers.rescheduleTimer(this.ctx, id, dueAt, error);
  }

  nextDueAt(skipKinds?: readonly string[]): Promise<number | null> {
    return timers.nextDueAt(this.ctx, skipKinds);
  }

  releaseLeases(owner: string): Promise<timers.ReleasedLeases> {
    return timers.releaseLeases(this.ctx, owner);
  }

  async beat(instance: string, now: number): Promise<boolean> {
    // The life lock first: a row is never seen without the session that proves it alive.
    const life = this.#lives.get(instance);
    if (this.#openLife && !life?.alive) this.#lives.set(instance, await this.#openLife(instance));
    return instances.beat(this.ctx, instance, now);
  }

  outboxLanes(limit: number): Promise<queues.OutboxLane[]> {
    return queues.outboxLanes(this.ctx, limit);
  }

  queuedReply(conversationId: string): Promise<queues.QueuedPosition | null> {
    return queues.queuedReply(this.ctx, conversationId);
  }

  takeOverSilent(now: number, silentMs: number, self: string): Promise<instances.TakeOver> {
    return instances.takeOverSilent(this.ctx, now, silentMs, self);
  }

  async leave(instance: string): Promise<void> {
    await instances.leave(this.ctx, instance);
    await this.#lives.get(instance)?.end();
    this.#lives.delete(instance);
  }

  listConversations(query: ConversationQuery): Promise<Conversation[]> {
    return reads.listConversations(this.ctx, query);
  }

  browseConversations(query: BrowseQuery): Promise<BrowsedConversation[]> {
    return browseConversations(this.ctx, query);
  }

  operationalStats(now: number): Promise<OperationalStats> {
    return operationalStats(this.ctx, now);
  }

  factsBetween(kinds: FactKind[], from: number, to: number): Promise<factReads.FactRow[]> {
    return factReads.factsBetween(this.ctx, kinds, from, to);
  }

  conversationFacts(query: factReads.ConversationFactQuery): Promise<factReads.ConversationFactRow[]> {
    return factReads.conversationFacts(this.ctx, query);
  }

  labelledConversations(q: { from: number; to: number; intents: string[]; tags: string[] }): Promise<FeedbackRow[]> {
    return labelledConversations(this.ctx, q);
  }

  listMessages(
    conversationId: string,
    opts?: { afterId?: string | null; limit?: number; includeInternal?: boolean },
  ): Promise<Message[]> {
    return reads.listMessages(this.ctx, conversationId, opts);
  }

  threadHistory(
    channel: string,
    threadKey: string,
    opts?: { afterId?: string | null; limit?: number },
  ): Promise<Message[]> {
    return reads.threadHistory(this.ctx, channel, threadKey, opts);
  }

  acquireLock(name: string, owner: string, now: number, ttlMs: number): Promise<boolean> {
    return reads.acquireLock(this.ctx, name, owner, now, ttlMs);
  }

  releaseLock(name: string, owner: string): Promise<void> {
    return reads.releaseLock(this.ctx, name, owner);
  }

  getState<T>(scope: string, key: string): Promise<T | null> {
    return reads.getState<T>(this.ctx, scope, key);
  }

  setState(scope: string, key: string, value: unknown): Promise<void> {
    return reads.setState(this.ctx, scope, key, value);
  }

  countExpired(kind: retention.RetentionKind, scope: retention.ChannelScope, cutoff: number): Promise<number> {
    return retention.countExpired(this.ctx, kind, scope, cutoff);
  }

  countExpiredBlobs(kind: retention.RetentionKind, scope: retention.ChannelScope, cutoff: number): Promise<number> {
    return retention.countExpiredBlobs(this.ctx, kind, scope, cutoff);
  }

  pruneExpired(
    kind: retention.RetentionKind,
    scope: retention.ChannelScope,
    cutoff: number,
    limit: number,
  ): Promise<retention.PruneResult> {
    return retention.pruneExpired(this.ctx, kind, scope, cutoff, limit);
  }

  reclaimSpace(pages: number): Promise<number> {
    return retention.reclaimSpace(this.ctx, pages);
  }
}
