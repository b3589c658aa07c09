import type { Kysely } from 'kysely';
import { JSON_TYPE } from './migration-steps.ts';
import type { Database } from './schema.ts';

/**
 * Named agents with their roles, their API tokens (lookup id, salt and keyed
 * hash only), and the append-only audit log of what agents and admins did.
 */
export async function agentsAndAudit(db: Kysely<Database>): Promise<void> {
  const s = db.schema;
  await s
    .createTable('agents')
    .addColumn('id', 'text', (c) => c.primaryKey())
    .addColumn('name', 'text', (c) => c.notNull())
    .addColumn('role', 'text', (c) => c.notNull())
    .addColumn('slack_user', 'text', (c) => c.unique())
    .addColumn('created_at', 'bigint', (c) => c.notNull())
    .execute();
  await s
    .createTable('agent_tokens')
    .addColumn('id', 'text', (c) => c.primaryKey())
    .addColumn('agent_id', 'text', (c) => c.notNull().references('agents.id'))
    .addColumn('salt', 'text', (c) => c.notNull())
    .addColumn('hash', 'text', (c) => c.notNull())
    .addColumn('created_at', 'bigint', (c) => c.notNull())
    .addColumn('revoked_at', 'bigint')
    .execute();
  await s.createIndex('agent_tokens_agent').on('agent_tokens').column('agent_id').execute();
  await s
    .createTable('audit_log')
    .addColumn('id', 'text', (c) => c.primaryKey())
    .addColumn('at', 'bigint', (c) => c.notNull())
    .addColumn('actor_id', 'text', (c) => c.notNull())
    .addColumn('actor_role', 'text', (c) => c.notNull())
    .addColumn('via', 'text', (c) => c.notNull())
    .addColumn('action', 'text', (c) => c.notNull())
    .addColumn('conversation_id', 'text')
    .addColumn('contact_id', 'text')
    .addColumn('detail', JSON_TYPE, (c) => c.notNull())
    .execute();
  await s.createIndex('audit_log_at').on('audit_log').columns(['at', 'id']).execute();
  await s.createIndex('audit_log_contact').on('audit_log').column('contact_id').execute();
  await s.createIndex('audit_log_conversation').on('audit_log').column('conversation_id').execute();
}

/**
 * Erasures as durable jobs (a crash half-way leaves the job pending, and it
 * is resumed), and tombstones: a digest of each erased identity, so a
 * redelivered webhook of theirs is not taken for a new customer.
 */
export async function erasures(db: Kysely<Database>): Promise<void> {
  await db.schema
    .createTable('erasures')
    .addColumn('contact_id', 'text', (c) => c.primaryKey())
    .addColumn('requested_at', 'bigint', (c) => c.notNull())
    .addColumn('requested_by', 'text', (c) => c.notNull())
    .addColumn('status', 'text', (c) => c.notNull())
    .addColumn('finished_at', 'bigint')
    .execute();
  await db.schema
    .createTable('tombstones')
    .addColumn('digest', 'text', (c) => c.primaryKey())
    .addColumn('kind', 'text', (c) => c.notNull())
    .addColumn('erased_at', 'bigint', (c) => c.notNull())
    .execute();
}
