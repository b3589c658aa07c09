import type { Kysely } from 'kysely';
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
  Reservation,
  Store,
  StoreTx,
  Timer,
  TransactionOptions,
} from './contract.ts';
import * as inbound from './inbound.ts';
import { migrate } from './migrations.ts';
import * as outbox from './outbox.ts';
import type { Ctx } from './query-helpers.ts';
import * as reads from './reads.ts';
import type { Database, StoreKind } from './schema.ts';
import type { SqliteStatements } from './sqlite-dialect.ts';
import * as timers from './timers.ts';
import { KyselyTx } from './tx-ops.ts';
import type { WalSync } from './wal-sync.ts';

/**
 * The one Store over Kysely, for both SQLite and PostgreSQL. Dialect
 * differences stay in the query modules and are few: row locks with SKIP
 * LOCKED and advisory locks on PostgreSQL only.
 */
export class KyselyStore extends KyselyTx implements Store {
  readonly #log: Logger;
  readonly #statements: SqliteStatements | undefined;

  readonly #sent: GroupCommit<{ jobId: string; providerId: string | null; status: DeliveryStatus; now: number }, void>;

  readonly #walSync: WalSync | undefined;

  /**
   * `walSync` (SQLite with synchronous = full): the commits a promise rests on
   * are made durable before it settles — a stored inbound batch before it is
   * acknowledged, an outbox claim or a routing decision before it is sent —
   * by a WAL flush off the event loop (wal-sync.ts), which also covers every
   * commit before it. Other commits are not waited for.
   */
  constructor(
    db: Kysely<Database>,
    kind: StoreKind,
    log: Logger,
    opts: { walSync?: WalSync; statements?: SqliteStatements } = {},
  ) {
    super(db, kind, { statements: opts.statements });
    this.#walSync = opts.walSync;
    this.#statements = opts.statements;
    this.#log = log;
    this.#sent = createGroupCommit((items) =>
      db.transaction().execute(async (trx) => {
        const ctx: Ctx = { db: trx, kind, statements: opts.statements };
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
    await this.#walSync?.close();
    return this.db.destroy();
  }

  /**
   * Runs `fn` in one transaction, committed when it resolves and rolled back
   * when it throws. Inside, use only `tx`: on SQLite the store's own methods
   * wait for the transaction's connection and would never run.
   */
  transaction<T>(fn: (tx: StoreTx) => Promise<T>, options: TransactionOptions = {}): Promise<T> {
    const extras = { statements: this.#statements, adopt: options.adopt };
    const run = (db: Kysely<Database>) => db.transaction().execute((trx) => fn(new KyselyTx(trx, this.kind, extras)));
    return options.durable ? this.#durably(() => run(this.db)) : run(this.db);
  }

  insertInbound(events: NewInbound[], reserve?: Reservation): Promise<Array<{ eventId: string; duplicate: boolean }>> {
    return this.#durably((ctx) => inbound.insertInbound(ctx, events, reserve));
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

  claimOutbox(lease: Lease): Promise<OutboxJob[]> {
    return this.#durably((ctx) => outbox.claimOutbox(ctx, lease));
  }

  /** Runs `fn` and, where commits are made durable apart (see the constructor), waits until its commits are. */
  async #durably<T>(fn: (ctx: Ctx) => Promise<T>): Promise<T> {
    const result = await fn(this.ctx);
    await this.#walSync?.sync();
    return result;
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

  rescheduleOutbox(jobId: string, dueAt: number, error: string, countAttempt: boolean): Promise<void> {
    return outbox.rescheduleOutbox(this.ctx, jobId, dueAt, error, countAttempt);
  }

  deadLetter(jobId: string, error: string, now: number): Promise<void> {
    return outbox.deadLetter(this.ctx, jobId, error, now);
  }

  listDeadLetters(limit?: number): Promise<DeadLetter[]> {
    return outbox.listDeadLetters(this.ctx, limit);
  }

  retryDeadLetter(jobId: string, now: number): Promise<boolean> {
    return outbox.retryDeadLetter(this.ctx, jobId, now);
  }

  countOutbox(status: 'pending' | 'sent' | 'dead'): Promise<number> {
    return outbox.countOutbox(this.ctx, status);
  }

  claimTimers(lease: Lease): Promise<Timer[]> {
    return timers.claimTimers(this.ctx, lease);
  }

  rescheduleTimer(id: string, dueAt: number, error: string): Promise<void> {
    return timers.rescheduleTimer(this.ctx, id, dueAt, error);
  }

  nextDueAt(): Promise<number | null> {
    return timers.nextDueAt(this.ctx);
  }

  releaseLeases(owner: string): Promise<void> {
    return timers.releaseLeases(this.ctx, owner);
  }

  updateDelivery(
    channel: string,
    providerId: string,
    status: DeliveryStatus,
    error: string | null,
  ): Promise<Message | null> {
    return reads.updateDelivery(this.ctx, channel, providerId, status, error);
  }

  listConversations(query: ConversationQuery): Promise<Conversation[]> {
    return reads.listConversations(this.ctx, query);
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
}
