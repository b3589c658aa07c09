import type { Kysely } from 'kysely';
import { JSON_TYPE } from './migration-steps.ts';
import type { Database } from './schema.ts';

/**
 * Crisis switches (one active at a time: a unique `active` column that is 1
 * while on and null after, so two instances switching on at once make one)
 * and QA reviews (one per conversation and sampling round).
 */
export async function crisesAndQa(db: Kysely<Database>): Promise<void> {
  const s = db.schema;
  await s
    .createTable('crises')
    .addColumn('id', 'text', (c) => c.primaryKey())
    .addColumn('started_at', 'bigint', (c) => c.notNull())
    .addColumn('started_by', 'text', (c) => c.notNull())
    .addColumn('reason', 'text', (c) => c.notNull())
    .addColumn('ended_at', 'bigint')
    .addColumn('ended_by', 'text')
    .addColumn('active', 'integer', (c) => c.unique())
    .execute();
  await s
    .createTable('qa_reviews')
    .addColumn('id', 'text', (c) => c.primaryKey())
    .addColumn('round', 'text', (c) => c.notNull())
    .addColumn('agent', 'text', (c) => c.notNull())
    .addColumn('conversation_id', 'text', (c) => c.notNull())
    .addColumn('sampled_at', 'bigint', (c) => c.notNull())
    .addColumn('scores', JSON_TYPE)
    .addColumn('comment', 'text')
    .addColumn('scored_by', 'text')
    .addColumn('scored_at', 'bigint')
    .addUniqueConstraint('qa_reviews_round_conversation', ['round', 'conversation_id'])
    .execute();
  await s.createIndex('qa_reviews_sampled').on('qa_reviews').columns(['sampled_at', 'id']).execute();
}
