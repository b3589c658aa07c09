import { randomBytes } from 'node:crypto';
import pg from 'pg';

/** A fresh schema name for one test's PostgreSQL tables, so tests can run side by side on one database. */
export const freshSchema = (prefix: string) => `${prefix}_${randomBytes(5).toString('hex')}`;

/** `url` with the store's `schema` parameter set. */
export function withSchema(url: string, schema: string): string {
  const u = new URL(url);
  u.searchParams.set('schema', schema);
  return u.toString();
}

export async function dropSchema(url: string, schema: string): Promise<void> {
  const admin = new pg.Client({ connectionString: url });
  await admin.connect();
  await admin.query(`drop schema if exists ${schema} cascade`);
  await admin.end();
}
