import type { Kysely } from 'kysely';
import type { Attachment } from '../model/types.ts';
import type { Ctx } from './query-helpers.ts';
import { fromJson } from './rows.ts';
import type { Database } from './schema.ts';

/**
 * Attachment blobs to delete once nothing names them. Rows are queued in the
 * transaction that deletes the messages naming them (an erasure, a retention
 * batch), so the list is durable with the deletion; the blobs themselves go
 * after the commit (src/privacy/blob-sweep.ts), each row removed only once
 * its blob is gone or found still in use. Blobs are content-addressed: a file
 * another message holds too is counted, and stays.
 */
export interface BlobSweepRecords {
  /** Keys waiting, oldest first. */
  pending(limit: number): Promise<string[]>;
  /** How many messages name the blob now. */
  references(key: string): Promise<number>;
  /** The key's check is over (its blob deleted, or kept in use). */
  done(key: string): Promise<void>;
}

/** Queues the blobs of these messages (by message id or by conversation), before they are deleted in the same transaction. */
export async function queueBlobsOf(
  db: Kysely<Database>,
  by: 'id' | 'conversation_id',
  ids: string[],
  now: number,
): Promise<number> {
  if (ids.length === 0) return 0;
  const rows = await db
    .selectFrom('messages')
    .select('attachments')
    .where(by, 'in', ids)
    .where('attachments', '<>', '[]')
    .execute();
  const keys = new Set(rows.flatMap((r) => blobKeysOf(r.attachments)));
  for (const key of keys)
    await db
      .insertInto('blob_sweeps')
      .values({ blob_key: key, queued_at: now })
      .onConflict((oc) => oc.column('blob_key').doNothing())
      .execute();
  return keys.size;
}

/** The blob keys a message's stored attachments name. */
export function blobKeysOf(attachments: string): string[] {
  return fromJson<Attachment[]>(attachments).flatMap((a) => (a.blobKey ? [a.blobKey] : []));
}

/** Messages naming the key: a blob key is `sha256/<hex>`, nothing LIKE treats as a wildcard. */
export async function blobReferences(db: Kysely<Database>, key: string): Promise<number> {
  const row = await db
    .selectFrom('messages')
    .select((eb) => eb.fn.countAll().as('n'))
    // Most messages carry no file: a plain comparison skips them before the substring search.
    .where('attachments', '<>', '[]')
    .where('attachments', 'like', `%"${key}"%`)
    .executeTakeFirst();
  return Number(row?.n ?? 0);
}

export function blobSweepRecords(ctx: Ctx): BlobSweepRecords {
  return {
    async pending(limit) {
      const rows = await ctx.db
        .selectFrom('blob_sweeps')
        .select('blob_key')
        .orderBy('queued_at')
        .orderBy('blob_key')
        .limit(limit)
        .execute();
      return rows.map((r) => r.blob_key);
    },
    references: (key) => blobReferences(ctx.db, key),
    async done(key) {
      await ctx.db.deleteFrom('blob_sweeps').where('blob_key', '=', key).execute();
    },
  };
}

/** Migration 19: the queue of blobs to check and delete. */
export async function blobSweepsTable(db: Kysely<Database>): Promise<void> {
  await db.schema
    .createTable('blob_sweeps')
    .addColumn('blob_key', 'text', (c) => c.primaryKey())
    .addColumn('queued_at', 'bigint', (c) => c.notNull())
    .execute();
  await db.schema.createIndex('blob_sweeps_queued').on('blob_sweeps').column('queued_at').execute();
}
