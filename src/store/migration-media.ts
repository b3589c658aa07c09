import type { Kysely } from 'kysely';
import type { Database } from './schema.ts';

/**
 * Attachment fetches: one row per inbound file to bring from the provider into
 * the blob store, written in the routing transaction with its message and
 * worked off outside it, with retries.
 */
export async function mediaFetches(db: Kysely<Database>): Promise<void> {
  await db.schema
    .createTable('media_fetches')
    .addColumn('id', 'text', (c) => c.primaryKey())
    .addColumn('message_id', 'text', (c) => c.notNull())
    .addColumn('conversation_id', 'text', (c) => c.notNull())
    .addColumn('channel', 'text', (c) => c.notNull())
    .addColumn('attachment_index', 'integer', (c) => c.notNull())
    .addColumn('status', 'text', (c) => c.notNull().defaultTo('pending'))
    .addColumn('attempts', 'integer', (c) => c.notNull().defaultTo(0))
    .addColumn('due_at', 'bigint', (c) => c.notNull())
    .addColumn('lease_owner', 'text')
    .addColumn('lease_until', 'bigint')
    .addColumn('last_error', 'text')
    .addColumn('created_at', 'bigint', (c) => c.notNull())
    .addColumn('completed_at', 'bigint')
    .execute();
  await db.schema.createIndex('media_fetches_due').on('media_fetches').columns(['status', 'due_at']).execute();
  await db.schema.createIndex('media_fetches_message').on('media_fetches').column('message_id').execute();
}
