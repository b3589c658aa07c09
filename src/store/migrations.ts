import { type Kysely, sql } from 'kysely';
import { StoreError } from '../errors.ts';
import type { Logger } from '../log.ts';
import { blobSweepsTable } from './blob-sweeps.ts';
import { agentsAndAudit, erasures } from './migration-access.ts';
import { broadcasts } from './migration-broadcasts.ts';
import { deskProcedure } from './migration-desk.ts';
import { kpiDays } from './migration-kpi-days.ts';
import { mediaFetches } from './migration-media.ts';
import { crisesAndQa } from './migration-operations.ts';
import { outreach } from './migration-outreach.ts';
import { retentionIndexes } from './migration-retention.ts';
import {
  contactHistory,
  contactsAcrossChannels,
  facts,
  instances,
  JSON_TYPE,
  PENDING,
  reportIndexes,
  sendAttempts,
  unreadableInbound,
} from './migration-steps.ts';
import { webhooksAndBugs } from './migration-webhooks.ts';
import type { Database, StoreKind } from './schema.ts';

/**
 * Forward-only schema versions. A version, once released, never changes:
 * add a new one instead. The same DDL serves both dialects.
 */
interface Migration {
  version: number;
  name: string;
  up(db: Kysely<Database>): Promise<void>;
}

async function initial(db: Kysely<Database>): Promise<void> {
  const s = db.schema;
  await s
    .createTable('contacts')
    .addColumn('id', 'text', (c) => c.primaryKey())
    .addColumn('name', 'text')
    .addColumn('vip', 'integer', (c) => c.notNull().defaultTo(0))
    .addColumn('language', 'text')
    .addColumn('timezone', 'text')
    .addColumn('opt_outs', JSON_TYPE, (c) => c.notNull())
    .addColumn('attributes', JSON_TYPE, (c) => c.notNull())
    .addColumn('created_at', 'bigint', (c) => c.notNull())
    .execute();

  await s
    .createTable('identities')
    .addColumn('id', 'text', (c) => c.primaryKey())
    .addColumn('contact_id', 'text', (c) => c.notNull().references('contacts.id').onDelete('cascade'))
    .addColumn('kind', 'text', (c) => c.notNull())
    .addColumn('value', 'text', (c) => c.notNull())
    .addColumn('verified', 'integer', (c) => c.notNull().defaultTo(0))
    .addUniqueConstraint('identities_kind_value', ['kind', 'value'])
    .execute();
  await s.createIndex('identities_contact').on('identities').column('contact_id').execute();

  await s
    .createTable('conversations')
    .addColumn('id', 'text', (c) => c.primaryKey())
    .addColumn('contact_id', 'text', (c) => c.notNull().references('contacts.id'))
    .addColumn('channel', 'text', (c) => c.notNull())
    .addColumn('touchpoint_kind', 'text', (c) => c.notNull())
    .addColumn('visibility', 'text', (c) => c.notNull())
    .addColumn('thread_key', 'text', (c) => c.notNull())
    .addColumn('status', 'text', (c) => c.notNull())
    .addColumn('category', 'text')
    .addColumn('intent', 'text')
    .addColumn('priority', 'text', (c) => c.notNull())
    .addColumn('assignee', 'text')
    .addColumn('tags', JSON_TYPE, (c) => c.notNull())
    .addColumn('links', JSON_TYPE, (c) => c.notNull())
    .addColumn('sla', JSON_TYPE, (c) => c.notNull())
    .addColumn('flow_state', JSON_TYPE)
    .addColumn('reply_ref', JSON_TYPE)
    .addColumn('created_at', 'bigint', (c) => c.notNull())
    .addColumn('updated_at', 'bigint', (c) => c.notNull())
    .addColumn('last_inbound_at', 'bigint')
    .execute();
  await s
    .createIndex('conversations_thread')
    .on('conversations')
    .columns(['channel', 'thread_key', 'updated_at'])
    .execute();
  await s.createIndex('conversations_updated').on('conversations').columns(['updated_at', 'id']).execute();
  await s.createIndex('conversations_contact').on('conversations').column('contact_id').execute();

  await s
    .createTable('messages')
    .addColumn('id', 'text', (c) => c.primaryKey())
    .addColumn('conversation_id', 'text', (c) => c.notNull().references('conversations.id'))
    .addColumn('channel', 'text', (c) => c.notNull())
    .addColumn('direction', 'text', (c) => c.notNull())
    .addColumn('author_kind', 'text', (c) => c.notNull())
    .addColumn('author_id', 'text')
    .addColumn('author_name', 'text')
    .addColumn('text', 'text', (c) => c.notNull())
    .addColumn('parts', JSON_TYPE)
    .addColumn('attachments', JSON_TYPE, (c) => c.notNull())
    .addColumn('provider_id', 'text')
    .addColumn('status', 'text', (c) => c.notNull())
    .addColumn('visibility', 'text', (c) => c.notNull())
    .addColumn('error', 'text')
    .addColumn('created_at', 'bigint', (c) => c.notNull())
    .execute();
  await s
    .createIndex('messages_conversation')
    .on('messages')
    .columns(['conversation_id', 'created_at', 'id'])
    .execute();
  await s
    .createIndex('messages_provider')
    .on('messages')
    .columns(['channel', 'provider_id'])
    .where(sql<boolean>`provider_id is not null`)
    .execute();

  await s
    .createTable('inbound_events')
    .addColumn('id', 'text', (c) => c.primaryKey())
    .addColumn('channel', 'text', (c) => c.notNull())
    .addColumn('provider_id', 'text', (c) => c.notNull())
    .addColumn('thread_key', 'text', (c) => c.notNull())
    .addColumn('envelope', JSON_TYPE, (c) => c.notNull())
    .addColumn('received_at', 'bigint', (c) => c.notNull())
    .addColumn('status', 'text', (c) => c.notNull().defaultTo('pending'))
    .addColumn('lease_owner', 'text')
    .addColumn('lease_until', 'bigint')
    .addColumn('attempts', 'integer', (c) => c.notNull().defaultTo(0))
    .addColumn('error', 'text')
    .addColumn('conversation_id', 'text')
    .addColumn('processed_at', 'bigint')
    .addUniqueConstraint('inbound_events_dedupe', ['channel', 'provider_id'])
    .execute();
  await s
    .createIndex('inbound_events_claim')
    .on('inbound_events')
    .columns(['received_at', 'id'])
    .where(PENDING)
    .execute();
  await s
    .createIndex('inbound_events_thread')
    .on('inbound_events')
    .columns(['channel', 'thread_key', 'received_at'])
    .where(PENDING)
    .execute();

  await s
    .createTable('outbox')
    .addColumn('id', 'text', (c) => c.primaryKey())
    .addColumn('message_id', 'text', (c) => c.notNull().references('messages.id'))
    .addColumn('conversation_id', 'text', (c) => c.notNull().references('conversations.id'))
    .addColumn('channel', 'text', (c) => c.notNull())
    .addColumn('destination', 'text', (c) => c.notNull())
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
  await s.createIndex('outbox_claim').on('outbox').columns(['due_at', 'id']).where(PENDING).execute();
  await s.createIndex('outbox_dead').on('outbox').column('failed_at').where(sql<boolean>`status = 'dead'`).execute();
  await s.createIndex('outbox_message').on('outbox').column('message_id').execute();

  await s
    .createTable('timers')
    .addColumn('id', 'text', (c) => c.primaryKey())
    .addColumn('kind', 'text', (c) => c.notNull())
    .addColumn('conversation_id', 'text', (c) => c.references('conversations.id'))
    .addColumn('due_at', 'bigint', (c) => c.notNull())
    .addColumn('payload', JSON_TYPE, (c) => c.notNull())
    .addColumn('key', 'text')
    .addColumn('status', 'text', (c) => c.notNull().defaultTo('pending'))
    .addColumn('attempts', 'integer', (c) => c.notNull().defaultTo(0))
    .addColumn('last_error', 'text')
    .addColumn('lease_owner', 'text')
    .addColumn('lease_until', 'bigint')
    .addColumn('created_at', 'bigint', (c) => c.notNull())
    .addColumn('completed_at', 'bigint')
    .execute();
  await s
    .createIndex('timers_key')
    .unique()
    .on('timers')
    .column('key')
    .where(sql<boolean>`status = 'pending' and key is not null`)
    .execute();
  await s.createIndex('timers_claim').on('timers').columns(['due_at', 'id']).where(PENDING).execute();
  await s.createIndex('timers_conversation').on('timers').column('conversation_id').where(PENDING).execute();

  await s
    .createTable('channel_state')
    .addColumn('scope', 'text', (c) => c.notNull())
    .addColumn('key', 'text', (c) => c.notNull())
    .addColumn('value', JSON_TYPE, (c) => c.notNull())
    .addPrimaryKeyConstraint('channel_state_pk', ['scope', 'key'])
    .execute();
}

/**
 * An outbound message keeps the reply reference it was decided with (it answers
 * that message, not the thread's latest); and partial indexes let the loops ask
 * for the next due instant without scanning every pending row.
 */
async function replyRefsAndDueIndexes(db: Kysely<Database>): Promise<void> {
  const s = db.schema;
  await s.alterTable('messages').addColumn('reply_ref', JSON_TYPE).execute();
  for (const table of ['outbox', 'timers'] as const) {
    await s
      .createIndex(`${table}_ready`)
      .on(table)
      .column('due_at')
      .where(sql<boolean>`status = 'pending' and lease_until is null`)
      .execute();
    await s
      .createIndex(`${table}_leased`)
      .on(table)
      .column('lease_until')
      .where(sql<boolean>`status = 'pending' and lease_until is not null`)
      .execute();
  }
  await s
    .createIndex('inbound_events_leased')
    .on('inbound_events')
    .column('lease_until')
    .where(sql<boolean>`status = 'pending' and lease_until is not null`)
    .execute();
}

/** Named leases, so a connection that must exist once is held by one instance and taken over when it dies. */
async function locks(db: Kysely<Database>): Promise<void> {
  await db.schema
    .createTable('locks')
    .addColumn('name', 'text', (c) => c.primaryKey())
    .addColumn('owner', 'text', (c) => c.notNull())
    .addColumn('expires_at', 'bigint', (c) => c.notNull())
    .execute();
}

const MIGRATIONS: readonly Migration[] = [
  { version: 1, name: 'initial', up: initial },
  { version: 2, name: 'reply refs and due-time indexes', up: replyRefsAndDueIndexes },
  { version: 3, name: 'locks', up: locks },
  { version: 4, name: 'unreadable inbound payloads', up: unreadableInbound },
  { version: 5, name: 'unconfirmed send attempts', up: sendAttempts },
  { version: 6, name: 'contacts across channels', up: contactsAcrossChannels },
  { version: 7, name: 'facts', up: facts },
  { version: 8, name: 'contact history', up: contactHistory },
  { version: 9, name: 'report indexes', up: reportIndexes },
  { version: 10, name: 'agents and audit log', up: agentsAndAudit },
  { version: 11, name: 'erasures and tombstones', up: erasures },
  { version: 12, name: 'instance heartbeats', up: instances },
  { version: 13, name: 'attachment fetches', up: mediaFetches },
  { version: 14, name: 'broadcasts', up: broadcasts },
  { version: 15, name: 'crisis switches and QA reviews', up: crisesAndQa },
  { version: 16, name: 'desk procedure: dispositions, workload', up: deskProcedure },
  { version: 17, name: 'retention indexes', up: retentionIndexes },
  { version: 18, name: 'webhooks out and bug links', up: webhooksAndBugs },
  { version: 19, name: 'attachment blobs to delete', up: blobSweepsTable },
  { version: 20, name: 'broadcast recipients by message, crisis statements', up: outreach },
  { version: 21, name: 'KPI inputs per closed day', up: kpiDays },
];

export const SCHEMA_VERSION = MIGRATIONS.at(-1)?.version ?? 0;

/** Two-int advisory lock keys (a key space apart from lockThread's single-key locks). */
const MIGRATION_LOCK = sql`select pg_advisory_xact_lock(7301, 1)`;

/**
 * Brings the schema up to SCHEMA_VERSION in one transaction; on PostgreSQL an
 * advisory lock keeps processes starting together from racing.
 */
export async function migrate(db: Kysely<Database>, kind: StoreKind, log: Logger): Promise<void> {
  await db.transaction().execute(async (trx) => {
    if (kind === 'postgres') await MIGRATION_LOCK.execute(trx);
    await trx.schema
      .createTable('schema_migrations')
      .ifNotExists()
      .addColumn('version', 'integer', (c) => c.primaryKey())
      .addColumn('name', 'text', (c) => c.notNull())
      .addColumn('applied_at', 'bigint', (c) => c.notNull())
      .execute();
    const row = await trx
      .selectFrom('schema_migrations')
      .select((eb) => eb.fn.max('version').as('version'))
      .executeTakeFirst();
    const current = Number(row?.version ?? 0);
    if (current > SCHEMA_VERSION) {
      throw new StoreError(
        'store_schema_newer',
        `The ${kind} database is at schema version ${current}, but this Touchpoint knows versions up to ${SCHEMA_VERSION}. ` +
          'Run the newer Touchpoint that migrated it, or point this one at another database.',
      );
    }
    for (const m of MIGRATIONS) {
      if (m.version <= current) continue;
      await m.up(trx);
      await trx
        .insertInto('schema_migrations')
        .values({ version: m.version, name: m.name, applied_at: Date.now() })
        .execute();
      log.info({ version: m.version, migration: m.name, store: kind }, 'store migration applied');
    }
  });
}
