import { type Kysely, sql } from 'kysely';
import type { Database } from './schema.ts';

/**
 * Indexes the retention run reads by: per channel and age, so each batch
 * finds its expired rows without scanning the tables it trims.
 */
export async function retentionIndexes(db: Kysely<Database>): Promise<void> {
  const s = db.schema;
  await s.createIndex('messages_channel_age').on('messages').columns(['channel', 'created_at']).execute();
  await s
    .createIndex('inbound_events_done_age')
    .on('inbound_events')
    .columns(['channel', 'received_at'])
    .where(sql<boolean>`status = 'done'`)
    .execute();
}
