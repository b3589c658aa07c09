import { type Kysely, sql } from 'kysely';
import { JSON_TYPE } from './migration-steps.ts';
import type { Database } from './schema.ts';

/**
 * Broadcasts and their recipients: one row per (broadcast, contact), unique,
 * so expanding a segment again after a crash adds nobody twice, and each
 * recipient's send is decided once (its row leaves `pending` in the same
 * transaction that queues the message in the outbox).
 */
export async function broadcasts(db: Kysely<Database>): Promise<void> {
  const s = db.schema;
  await s
    .createTable('broadcasts')
    .addColumn('id', 'text', (c) => c.primaryKey())
    .addColumn('name', 'text', (c) => c.notNull())
    .addColumn('channel', 'text', (c) => c.notNull())
    .addColumn('segment', JSON_TYPE, (c) => c.notNull())
    .addColumn('message', JSON_TYPE, (c) => c.notNull())
    .addColumn('quiet_hours', 'integer', (c) => c.notNull())
    .addColumn('status', 'text', (c) => c.notNull())
    .addColumn('start_at', 'bigint', (c) => c.notNull())
    .addColumn('expand_after', 'text')
    .addColumn('expanded', 'integer', (c) => c.notNull().defaultTo(0))
    .addColumn('created_by', 'text', (c) => c.notNull())
    .addColumn('created_at', 'bigint', (c) => c.notNull())
    .addColumn('updated_at', 'bigint', (c) => c.notNull())
    .execute();
  await s.createIndex('broadcasts_status').on('broadcasts').columns(['status', 'start_at']).execute();
  await s
    .createTable('broadcast_recipients')
    .addColumn('id', 'text', (c) => c.primaryKey())
    .addColumn('broadcast_id', 'text', (c) => c.notNull().references('broadcasts.id'))
    .addColumn('contact_id', 'text', (c) => c.notNull())
    .addColumn('status', 'text', (c) => c.notNull())
    .addColumn('due_at', 'bigint', (c) => c.notNull())
    .addColumn('reason', 'text')
    .addColumn('conversation_id', 'text')
    .addColumn('message_id', 'text')
    .addColumn('updated_at', 'bigint', (c) => c.notNull())
    .addUniqueConstraint('broadcast_recipients_once', ['broadcast_id', 'contact_id'])
    .execute();
  await s
    .createIndex('broadcast_recipients_due')
    .on('broadcast_recipients')
    .columns(['broadcast_id', 'due_at', 'id'])
    .where(sql<boolean>`status = 'pending'`)
    .execute();
  await s
    .createIndex('broadcast_recipients_status')
    .on('broadcast_recipients')
    .columns(['broadcast_id', 'status'])
    .execute();
  await s
    .createIndex('broadcast_recipients_conversation')
    .on('broadcast_recipients')
    .column('conversation_id')
    .execute();
}
