import type { Kysely } from 'kysely';
import type { Database } from './schema.ts';

/**
 * KPI inputs pre-aggregated per closed UTC day, so a period of weeks reads a
 * row a day instead of every fact in it (src/store/kpi-days.ts).
 */
export async function kpiDays(db: Kysely<Database>): Promise<void> {
  await db.schema
    .createTable('kpi_days')
    .addColumn('day', 'bigint', (c) => c.primaryKey())
    .addColumn('cells', 'text', (c) => c.notNull())
    .execute();
}
