import type { Kysely } from 'kysely';
import { PENDING } from './migration-steps.ts';
import type { Database } from './schema.ts';

/** Webhooks out, and the bugs logged in the tracker with the conversations linked to each (one migration). */
export async function webhooksAndBugs(db: Kysely<Database>): Promise<void> {
  await webhookDeliveries(db);
  await bugLinks(db);
}

/**
 * Webhooks out: one row per event and subscription, written in the
 * transaction where the event happens, then claimed, sent and retried like
 * the outbox's rows. `order_key` (the conversation, or the contact) keeps the
 * events of one conversation in order for each subscriber.
 */
async function webhookDeliveries(db: Kysely<Database>): Promise<void> {
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

/**
 * A bug is one issue in the tracker (`key`: the GitHub issue number or the
 * Redmine id); many conversations may link to it. `notified_at` on a link
 * says its customer was told of the fix: set in the transaction that queues
 * the message, so each customer is told once.
 */
async function bugLinks(db: Kysely<Database>): Promise<void> {
  const s = db.schema;
  await s
    .createTable('bugs')
    .addColumn('id', 'text', (c) => c.primaryKey())
    .addColumn('tracker', 'text', (c) => c.notNull())
    .addColumn('key', 'text', (c) => c.notNull())
    .addColumn('url', 'text', (c) => c.notNull())
    .addColumn('title', 'text', (c) => c.notNull())
    .addColumn('severity', 'text', (c) => c.notNull())
    .addColumn('created_at', 'bigint', (c) => c.notNull())
    .addColumn('fixed_at', 'bigint')
    .addUniqueConstraint('bugs_tracker_key', ['tracker', 'key'])
    .execute();
  await s
    .createTable('bug_links')
    .addColumn('bug_id', 'text', (c) => c.notNull().references('bugs.id'))
    .addColumn('conversation_id', 'text', (c) => c.notNull())
    .addColumn('linked_at', 'bigint', (c) => c.notNull())
    .addColumn('notified_at', 'bigint')
    .addPrimaryKeyConstraint('bug_links_pk', ['bug_id', 'conversation_id'])
    .execute();
  await s.createIndex('bug_links_conversation').on('bug_links').column('conversation_id').execute();
}
