import type { Kysely } from 'kysely';
import type { Database } from './schema.ts';

/**
 * The desk's procedure: the disposition of each resolution (reported by code),
 * and an index for the open workload per agent that assignment weighs.
 */
export async function deskProcedure(db: Kysely<Database>): Promise<void> {
  const s = db.schema;
  await s
    .createTable('resolutions')
    .addColumn('id', 'text', (c) => c.primaryKey())
    .addColumn('conversation_id', 'text', (c) => c.notNull())
    .addColumn('at', 'bigint', (c) => c.notNull())
    .addColumn('code', 'text', (c) => c.notNull())
    .addColumn('agent', 'text')
    .addColumn('category', 'text')
    .execute();
  await s.createIndex('resolutions_at').on('resolutions').column('at').execute();
  await s.createIndex('conversations_assignee').on('conversations').columns(['assignee', 'status']).execute();
}
