import type { Selectable } from 'kysely';
import { claimDue, putBackUntil, renewLease } from './claim.ts';
import type { DeadLetter, Lease } from './contract.ts';
import { type Ctx, clampLimit, count, DEAD, PENDING, SENT } from './query-helpers.ts';
import type { WebhookDeliveriesTable } from './schema.ts';

export type WebhookRow = Selectable<WebhookDeliveriesTable>;

export interface WebhookDelivery {
  id: string;
  subscription: string;
  eventId: string;
  eventType: string;
  orderKey: string;
  body: string;
  dueAt: number;
  attempts: number;
  lastError: string | null;
  createdAt: number;
}

export interface DeadWebhook extends WebhookDelivery {
  failedAt: number;
}

/** The webhook deliveries queue: claimed with a lease like the outbox's rows. */
export interface WebhookQueue {
  claim(lease: Lease): Promise<WebhookDelivery[]>;
  /**
   * When the earliest pending delivery before `d` to the same subscriber about the same conversation
   * can next go (its due time, or the end of the lease holding it); null when nothing waits before it.
   */
  waitingBefore(d: WebhookDelivery): Promise<number | null>;
  renewLease(id: string, owner: string, until: number): Promise<boolean>;
  delivered(id: string, now: number): Promise<void>;
  /** Due again at `dueAt`; `countAttempt` false when it only waits behind an earlier event. */
  reschedule(id: string, dueAt: number, error: string | null, countAttempt: boolean): Promise<void>;
  dead(id: string, error: string, now: number): Promise<void>;
  listDead(limit?: number): Promise<DeadWebhook[]>;
  /** Pending deliveries, earliest due first. */
  listPending(limit?: number): Promise<WebhookDelivery[]>;
  /** Back in the queue, due now, with a fresh attempt budget; false when `id` is no dead delivery. */
  retryDead(id: string, now: number): Promise<boolean>;
  nextDueAt(): Promise<number | null>;
  releaseLeases(owner: string): Promise<void>;
  count(status: 'pending' | 'sent' | 'dead'): Promise<number>;
}

function fromRow(r: WebhookRow): WebhookDelivery {
  return {
    id: r.id,
    subscription: r.subscription,
    eventId: r.event_id,
    eventType: r.event_type,
    orderKey: r.order_key,
    body: r.body,
    dueAt: Number(r.due_at),
    attempts: Number(r.attempts),
    lastError: r.last_error,
    createdAt: Number(r.created_at),
  };
}

const free = { lease_owner: null, lease_until: null };

export function webhookQueue(ctx: Ctx): WebhookQueue {
  const table = () => ctx.db.updateTable('webhook_deliveries');
  return {
    async claim(lease) {
      return (await claimDue(ctx, 'webhook_deliveries', lease)).map(fromRow);
    },
    async waitingBefore(d) {
      const row = await ctx.db
        .selectFrom('webhook_deliveries')
        .select(['due_at', 'lease_until'])
        .where('status', '=', PENDING)
        .where('subscription', '=', d.subscription)
        .where('order_key', '=', d.orderKey)
        .where('id', '<', d.id)
        .orderBy('id')
        .limit(1)
        .executeTakeFirst();
      if (!row) return null;
      return Math.max(Number(row.due_at), Number(row.lease_until ?? 0));
    },
    renewLease: (id, owner, until) => renewLease(ctx, 'webhook_deliveries', id, owner, until),
    async delivered(id, now) {
      await table()
        .set({ status: SENT, sent_at: now, last_error: null, ...free })
        .where('id', '=', id)
        .where('status', '=', PENDING)
        .execute();
    },
    reschedule: (id, dueAt, error, countAttempt) =>
      putBackUntil(ctx, 'webhook_deliveries', id, { dueAt, error, countAttempt }),
    async dead(id, error, now) {
      await table()
        .set((eb) => ({ status: DEAD, last_error: error, failed_at: now, attempts: eb('attempts', '+', 1), ...free }))
        .where('id', '=', id)
        .where('status', '=', PENDING)
        .execute();
    },
    async listDead(limit) {
      const rows = await ctx.db
        .selectFrom('webhook_deliveries')
        .selectAll()
        .where('status', '=', DEAD)
        .orderBy('failed_at', 'desc')
        .orderBy('id', 'desc')
        .limit(clampLimit(limit, 100))
        .execute();
      return rows.map((r) => ({ ...fromRow(r), failedAt: Number(r.failed_at ?? r.created_at) }));
    },
    async listPending(limit) {
      const rows = await ctx.db
        .selectFrom('webhook_deliveries')
        .selectAll()
        .where('status', '=', PENDING)
        .orderBy('due_at')
        .orderBy('id')
        .limit(clampLimit(limit, 100))
        .execute();
      return rows.map(fromRow);
    },
    async retryDead(id, now) {
      const done = await table()
        .set({ status: PENDING, due_at: now, attempts: 0, failed_at: null, ...free })
        .where('id', '=', id)
        .where('status', '=', DEAD)
        .executeTakeFirst();
      return count(done.numUpdatedRows) === 1;
    },
    async nextDueAt() {
      const row = await ctx.db
        .selectFrom('webhook_deliveries')
        .select((eb) => eb.fn.min(eb.fn.coalesce('lease_until', 'due_at')).as('t'))
        .where('status', '=', PENDING)
        .executeTakeFirst();
      return row?.t == null ? null : Number(row.t);
    },
    async releaseLeases(owner) {
      await table().set(free).where('status', '=', PENDING).where('lease_owner', '=', owner).execute();
    },
    async count(status) {
      const row = await ctx.db
        .selectFrom('webhook_deliveries')
        .select((eb) => eb.fn.countAll().as('n'))
        .where('status', '=', status)
        .executeTakeFirst();
      return count(row?.n as number | undefined);
    },
  };
}

/** A dead webhook as a dead letter among the outbox's: channel `webhook`, the subscription as its destination. */
export function asDeadLetter(d: DeadWebhook): DeadLetter {
  return {
    id: d.id,
    messageId: '',
    conversationId: d.orderKey,
    channel: 'webhook',
    destination: d.subscription,
    dueAt: d.dueAt,
    attempts: d.attempts,
    lastError: d.lastError,
    createdAt: d.createdAt,
    attemptedAt: null,
    text: `${d.eventType} ${d.eventId}`,
    failedAt: d.failedAt,
    customer: d.subscription,
  };
}
