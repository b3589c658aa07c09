import { type Kysely, SqliteAdapter, sql } from 'kysely';
import { backfillFacts } from './facts-backfill.ts';
import type { Database } from './schema.ts';

/** The schema steps after the first three (migrations.ts lists them all, in order), and what the DDL shares. */

/**
 * JSON columns are text in both dialects: PostgreSQL's jsonb rejects the
 * `\u0000` escapes raw provider payloads can carry, and text keeps one decode path.
 */
export const JSON_TYPE = 'text';
export const PENDING = sql<boolean>`status = 'pending'`;

/**
 * Signed provider payloads that could not be read: answered (so the provider
 * does not redeliver them for ever) and kept here for a person to look at.
 */
export async function unreadableInbound(db: Kysely<Database>): Promise<void> {
  await db.schema
    .createTable('unreadable_inbound')
    .addColumn('id', 'text', (c) => c.primaryKey())
    .addColumn('channel', 'text', (c) => c.notNull())
    .addColumn('reason', 'text', (c) => c.notNull())
    .addColumn('payload', 'text', (c) => c.notNull())
    .addColumn('payload_encoding', 'text', (c) => c.notNull())
    .addColumn('received_at', 'bigint', (c) => c.notNull())
    .execute();
  await db.schema.createIndex('unreadable_inbound_received').on('unreadable_inbound').column('received_at').execute();
}

/**
 * When a send to the provider started without its outcome being recorded yet:
 * written (durably) before the provider is called, cleared with the outcome,
 * so a row that still carries it after a crash is checked with the provider
 * before it is sent again.
 */
export async function sendAttempts(db: Kysely<Database>): Promise<void> {
  await db.schema.alterTable('outbox').addColumn('attempted_at', 'bigint').execute();
}

/** One customer across channels: merges (with the redirect of the merged-away id), suggested matches, contact tags. */
export async function contactsAcrossChannels(db: Kysely<Database>): Promise<void> {
  const s = db.schema;
  await s
    .createTable('contact_merges')
    .addColumn('id', 'text', (c) => c.primaryKey())
    .addColumn('from_id', 'text', (c) => c.notNull().unique())
    .addColumn('into_id', 'text', (c) => c.notNull())
    .addColumn('by', 'text', (c) => c.notNull())
    .addColumn('at', 'bigint', (c) => c.notNull())
    .addColumn('moved', JSON_TYPE, (c) => c.notNull())
    .execute();
  await s.createIndex('contact_merges_into').on('contact_merges').column('into_id').execute();
  await s
    .createTable('contact_suggestions')
    .addColumn('id', 'text', (c) => c.primaryKey())
    .addColumn('pair_key', 'text', (c) => c.notNull().unique())
    .addColumn('contact_id', 'text', (c) => c.notNull())
    .addColumn('other_id', 'text', (c) => c.notNull())
    .addColumn('reason', 'text', (c) => c.notNull())
    .addColumn('evidence', 'text', (c) => c.notNull())
    .addColumn('status', 'text', (c) => c.notNull().defaultTo('pending'))
    .addColumn('created_at', 'bigint', (c) => c.notNull())
    .addColumn('decided_at', 'bigint')
    .addColumn('decided_by', 'text')
    .execute();
  await s
    .createIndex('contact_suggestions_pending')
    .on('contact_suggestions')
    .columns(['created_at', 'id'])
    .where(PENDING)
    .execute();
  await s
    .createTable('contact_tags')
    .addColumn('contact_id', 'text', (c) => c.notNull())
    .addColumn('tag', 'text', (c) => c.notNull())
    .addPrimaryKeyConstraint('contact_tags_pk', ['contact_id', 'tag'])
    .execute();
  await s.createIndex('contact_tags_tag').on('contact_tags').column('tag').execute();
  // Email identities are looked up lower-cased from now on; an address stored in several spellings keeps them all.
  await sql`update identities set value = lower(value)
    where kind = 'email' and value <> lower(value)
      and not exists (select 1 from identities o
        where o.kind = 'email' and lower(o.value) = lower(identities.value) and o.id <> identities.id)`.execute(db);
}

/** Durable facts (src/facts/derive.ts): a running summary per conversation and one row per fact. */
export async function facts(db: Kysely<Database>): Promise<void> {
  const s = db.schema;
  await s
    .createTable('conversation_facts')
    .addColumn('conversation_id', 'text', (c) => c.primaryKey().references('conversations.id'))
    .addColumn('channel', 'text', (c) => c.notNull())
    .addColumn('created_at', 'bigint', (c) => c.notNull())
    .addColumn('status', 'text', (c) => c.notNull())
    .addColumn('first_inbound_at', 'bigint')
    .addColumn('awaiting_since', 'bigint')
    .addColumn('last_inbound_at', 'bigint')
    .addColumn('assigned_at', 'bigint')
    .addColumn('first_bot_at', 'bigint')
    .addColumn('first_human_at', 'bigint')
    .addColumn('last_agent_at', 'bigint')
    .addColumn('agent', 'text')
    .addColumn('escalated', 'integer', (c) => c.notNull().defaultTo(0))
    .addColumn('transferred', 'integer', (c) => c.notNull().defaultTo(0))
    .addColumn('reopens', 'integer', (c) => c.notNull().defaultTo(0))
    .addColumn('first_resolved_at', 'bigint')
    .addColumn('resolved_at', 'bigint')
    .addColumn('handle_ms', 'bigint', (c) => c.notNull().defaultTo(0))
    .addColumn('breached', 'integer', (c) => c.notNull().defaultTo(0))
    .addColumn('first_response_due', 'bigint')
    .addColumn('next_response_due', 'bigint')
    .addColumn('resolution_due', 'bigint')
    .execute();
  await s.createIndex('conversation_facts_created').on('conversation_facts').column('created_at').execute();
  await s
    .createIndex('conversation_facts_resolved')
    .on('conversation_facts')
    .column('first_resolved_at')
    .where(sql<boolean>`first_resolved_at is not null`)
    .execute();
  await s
    .createIndex('conversation_facts_backlog')
    .on('conversation_facts')
    .column('created_at')
    .where(sql<boolean>`status in ('open', 'pending', 'snoozed')`)
    .execute();
  await s
    .createTable('facts')
    .addColumn('id', 'text', (c) => c.primaryKey())
    .addColumn('conversation_id', 'text', (c) => c.notNull().references('conversations.id'))
    .addColumn('kind', 'text', (c) => c.notNull())
    .addColumn('at', 'bigint', (c) => c.notNull())
    .addColumn('started_at', 'bigint')
    .addColumn('actor', 'text')
    .addColumn('agent', 'text')
    .addColumn('breached', 'integer')
    .addColumn('handle_ms', 'bigint')
    .addColumn('score', 'integer')
    .addColumn('comment', 'text')
    .addColumn('flow', 'text')
    .execute();
  await s.createIndex('facts_kind_at').on('facts').columns(['kind', 'at']).execute();
  await s.createIndex('facts_conversation').on('facts').columns(['conversation_id', 'kind']).execute();
  await backfillFacts(db);
}

/** What changed about a contact over time: consent per channel, opt-outs, the VIP flag (who or what, when). */
export async function contactHistory(db: Kysely<Database>): Promise<void> {
  await db.schema
    .createTable('contact_history')
    .addColumn('id', 'text', (c) => c.primaryKey())
    .addColumn('contact_id', 'text', (c) => c.notNull())
    .addColumn('kind', 'text', (c) => c.notNull())
    .addColumn('channel', 'text')
    .addColumn('on', 'integer', (c) => c.notNull())
    .addColumn('source', 'text', (c) => c.notNull())
    .addColumn('at', 'bigint', (c) => c.notNull())
    .execute();
  await db.schema.createIndex('contact_history_contact').on('contact_history').columns(['contact_id', 'at']).execute();
}

/**
 * Indexes the reports read through: the facts of a period in the order of
 * their time with every column a KPI needs but a CSAT comment (no row
 * lookups), the open backlog by id, the few VIP contacts, and, on SQLite, a
 * conversation's dimensions beside its id (SQLite looks rows up one by one;
 * PostgreSQL's index rows are size-limited, which free-text tags could exceed).
 */
export async function reportIndexes(db: Kysely<Database>): Promise<void> {
  const s = db.schema;
  await s
    .createIndex('facts_kind_at_covering')
    .on('facts')
    .columns(['kind', 'at', 'conversation_id', 'started_at', 'actor', 'agent', 'breached', 'handle_ms', 'score'])
    .execute();
  await s.dropIndex('facts_kind_at').execute();
  await s
    .createIndex('conversation_facts_open')
    .on('conversation_facts')
    .column('conversation_id')
    .where(sql<boolean>`status in ('open', 'pending', 'snoozed')`)
    .execute();
  await s.createIndex('contacts_vip').on('contacts').column('id').where(sql<boolean>`vip = 1`).execute();
  if (!(db.getExecutor().adapter instanceof SqliteAdapter)) return;
  await s
    .createIndex('conversations_dimensions')
    .on('conversations')
    .columns(['id', 'contact_id', 'channel', 'touchpoint_kind', 'category', 'intent', 'tags'])
    .execute();
}

/** One row per router sharing the store, beaten every second; see instances.ts. */
export async function instances(db: Kysely<Database>): Promise<void> {
  await db.schema
    .createTable('instances')
    .addColumn('id', 'text', (c) => c.primaryKey())
    .addColumn('started_at', 'bigint', (c) => c.notNull())
    .addColumn('seen_at', 'bigint', (c) => c.notNull())
    .addColumn('dead_at', 'bigint')
    .execute();
}
