import { type Kysely, sql } from 'kysely';
import { createGroupCommit, type GroupCommit } from '../group-commit.ts';
import type { Logger } from '../log.ts';
import type { Conversation, DeliveryStatus, Message } from '../model/types.ts';
import type {
  ConversationQuery,
  DeadLetter,
  InboundEvent,
  InboundStatus,
  Lease,
  NewInbound,
  OutboxJob,
  Store,
  StoreTx,
  Timer,
} from './contract.ts';
import * as inbound from './inbound.ts';
import { migrate } from './migrations.ts';
import * as outbox from './outbox.ts';
import type { Ctx } from './query-helpers.ts';
import * as reads from './reads.ts';
import type { Database, StoreKind } from './schema.ts';
import * as timers from './timers.ts';
import { KyselyTx } from './tx-ops.ts';

/**
 * The one Store over Kysely, for both SQLite and PostgreSQL. Dialect
 * differences stay in the query modules and are few: row locks with SKIP
 * LOCKED and advisory locks on PostgreSQL only.
 */
export class KyselyStore extends KyselyTx implements Store {
  readonly #ctx: Ctx;
  readonly #log: Logger;

  readonly #sent: GroupCommit<{ jobId: string; providerId: string | null; status: DeliveryStatus; now: number }, void>;

  readonly #durableCommits: boolean;

  /**
   * `durableCommits` (SQLite with synchronous = full): the commits a promise rests
   * on are fsynced — a stored inbound batch before it is acknowledged, and an
   * outbox claim before it is sent, which also syncs every routing decision
   * written before it in the WAL. Everything else commits without an fsync, so
   * the event loop is not held up by a disk flush per transaction.
   */
  constructor(db: Kysely<Database>, kind: StoreKind, log: Logger, opts: { durableCommits?: boolean } = {}) {
    super(db, kind);
    this.#durableCommits = opts.durableCommits === true;
    this.#ctx = { db, kind };
    this.#log = log;
    this.#sent = createGroupCommit((items) =>
      db.transaction().execute(async (trx) => {
        const ctx: Ctx = { db: trx, kind };
        for (const s of items) await outbox.markSent(ctx, s.jobId, s.providerId, s.status, s.now);
        return items.map(() => undefined);
      }),
    );
  }

  migrate(): Promise<void> {
    return migrate(this.db, this.kind, this.#log);
  }

  async close(): Promise<void> {
    await this.#sent.flush();
    return this.db.destroy();
  }

  /**
   * Runs `fn` in one transaction, committed when it resolves and rolled back
   * when it throws. Inside, use only `tx`: on SQLite the store's own methods
   * wait for the transaction's connection and would never run.
   */
  transaction<T>(fn: (tx: StoreTx) => Promise<T>): Promise<T> {
    return this.db.transaction().execute((trx) => fn(new KyselyTx(trx, this.kind)));
  }

  insertInbound(events: NewInbound[]): Promise<Array<{ eventId: string; duplicate: boolean }>> {
    return this.#durably((ctx) => inbound.insertInbound(ctx, events));
  }

  claimInbound(lease: Lease): Promise<InboundEvent[]> {
    return inbound.claimInbound(this.#ctx, lease);
  }

  failInbound(eventId: string, error: string, retryAt: number, final: boolean): Promise<void> {
    return inbound.failInbound(this.#ctx, eventId, error, retryAt, final);
  }

  countInbound(status: InboundStatus): Promise<number> {
    return inbound.countInbound(this.#ctx, status);
  }

  claimOutbox(lease: Lease): Promise<OutboxJob[]> {
    return this.#durably((ctx) => outbox.claimOutbox(ctx, lease));
  }

  /** Runs `fn` on one connection with its commits fsynced (see the constructor). */
  #durably<T>(fn: (ctx: Ctx) => Promise<T>): Promise<T> {
    if (!this.#durableCommits) return fn(this.#ctx);
    return this.db.connection().execute(async (conn) => {
      await sql`pragma synchronous = full`.execute(conn);
      try {
        return await fn({ db: conn, kind: this.kind });
      } finally {
        await sql`pragma synchronous = normal`.execute(conn);
      }
    });
  }

  loadOutbound(job: OutboxJob): Promise<{ message: Message; conversation: Conversation; references: string[] } | null> {
    return outbox.loadOutbound(this.#ctx, job);
  }

  /** Group-committed: concurrent sends record their outcome in one transaction. */
  markSent(jobId: string, providerId: string | null, status: DeliveryStatus, now: number): Promise<void> {
    return this.#sent.submit({ jobId, providerId, status, now });
  }

  rescheduleOutbox(jobId: string, dueAt: number, error: string, countAttempt: boolean): Promise<void> {
    return outbox.rescheduleOutbox(this.#ctx, jobId, dueAt, error, countAttempt);
  }

  deadLetter(jobId: string, error: string, now: number): Promise<void> {
    return outbox.deadLetter(this.#ctx, jobId, error, now);
  }

  listDeadLetters(limit?: number): Promise<DeadLetter[]> {
    return outbox.listDeadLetters(this.#ctx, limit);
  }

  retryDeadLetter(jobId: string, now: number): Promise<boolean> {
    return outbox.retryDeadLetter(this.#ctx, jobId, now);
  }

  countOutbox(status: 'pending' | 'sent' | 'dead'): Promise<number> {
    return outbox.countOutbox(this.#ctx, status);
  }

  claimTimers(lease: Lease): Promise<Timer[]> {
    return timers.claimTimers(this.#ctx, lease);
  }

  rescheduleTimer(id: string, dueAt: number, error: string): Promise<void> {
    return timers.rescheduleTimer(this.#ctx, id, dueAt, error);
  }

  nextDueAt(): Promise<number | null> {
    return timers.nextDueAt(this.#ctx);
  }

  releaseLeases(owner: string): Promise<void> {
    return timers.releaseLeases(this.#ctx, owner);
  }

  updateDelivery(
    channel: string,
    providerId: string,
    status: DeliveryStatus,
    error: string | null,
  ): Promise<Message | null> {
    return reads.updateDelivery(this.#ctx, channel, providerId, status, error);
  }

  listConversations(query: ConversationQuery): Promise<Conversation[]> {
    return reads.listConversations(this.#ctx, query);
  }

  listMessages(
    conversationId: string,
    opts?: { afterId?: string | null; limit?: number; includeInternal?: boolean },
  ): Promise<Message[]> {
    return reads.listMessages(this.#ctx, conversationId, opts);
  }

  threadHistory(
    channel: string,
    threadKey: string,
    opts?: { afterId?: string | null; limit?: number },
  ): Promise<Message[]> {
    return reads.threadHistory(this.#ctx, channel, threadKey, opts);
  }

  acquireLock(name: string, owner: string, now: number, ttlMs: number): Promise<boolean> {
    return reads.acquireLock(this.#ctx, name, owner, now, ttlMs);
  }

  releaseLock(name: string, owner: string): Promise<void> {
    return reads.releaseLock(this.#ctx, name, owner);
  }

  getState<T>(scope: string, key: string): Promise<T | null> {
    return reads.getState<T>(this.#ctx, scope, key);
  }

  setState(scope: string, key: string, value: unknown): Promise<void> {
    return reads.setState(this.#ctx, scope, key, value);
  }
}
