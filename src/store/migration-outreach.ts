import type { Kysely } from 'kysely';
import type { Database } from './schema.ts';

/**
 * Reaching out first, finished: a broadcast's messages still in the outbox are
 * counted from the few pending outbox rows, each looked up by its message
 * (without this index that count read every recipient already queued, so a
 * round's cost grew with the broadcast); and a crisis keeps the holding
 * statement the admin chose when switching it on (null: crisis.yaml's).
 */
export async function outreach(db: Kysely<Database>): Promise<void> {
  await db.schema.createIndex('broadcast_recipients_message').on('broadcast_recipients').column('message_id').execute();
  await db.schema.alterTable('crises').addColumn('statement', 'text').execute();
}
