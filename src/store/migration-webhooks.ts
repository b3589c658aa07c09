import type { Kysely } from 'kysely';
import { PENDING } from './migration-steps.ts';
import type { Database } from './schema.ts';

/**
 * Webhooks out: one row per event and subscription, written in the
 * transaction where the event happens, then claimed, sent and retried like
 * the outbox's rows. `order_key` (the conversation, or the contact) keeps the
 * events of one conversation in order for each subscriber.
 */
export async function webhookDeliveries(db: Kysely<Database>): Promise<void> {
  const s = db.schema;
  await s
    .createTable('webhook_deliveries')
    .addColumn('id', 'text', (c) => c.primaryKey())
    .addColumn('subscription', 'text', (c) => c.notNull())
    .addColumn('event_id', 'text', (c) => c.notNull())
    .addColumn('event_type', 'text', (c) => c.notNull())
    .addColumn('order_key', 'text', (c) => c.notNull())
    .addColumn('body', 'text', (c) => c.notNull())
    .addColumn('status', 'text', (c) => c.notNull().defaultTo('pending'))
    .addColumn('due_at', 'bigint', (c) => c.notNull())
    .addColumn('attempts', 'integer', (c) => c.notNull().defaultTo(0))
    .addColumn('last_error', 'text')
    .addColumn('lease_owner', 'text')
    .addColumn('lease_until', 'bigint')
    .addColumn('created_at', 'bigint', (c) => c.notNull())
    .addColumn('sent_at', 'bigint')
    .addColumn('failed_at', 'bigint')
    .execute();
  await s
    .createIndex('webhook_deliveries_due')
    .on('webhook_deliveries')
    .columns(['due_at', 'id'])
    .where(PENDING)
    .execute();
  await s
    .createIndex('webhook_deliveries_order')
    .on('webhook_deliveries')
    .columns(['subscription', 'order_key', 'id'])
    .where(PENDING)
    .execute();
  await s.createIndex('webhook_deliveries_failed').on('webhook_deliveries').columns(['status', 'failed_at']).execute();
}
