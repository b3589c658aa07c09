import { randomBytes } from 'node:crypto';
import { Kysely, PostgresDialect, sql } from 'kysely';
import pg from 'pg';
import { afterEach, describe, expect, it } from 'vitest';
import { preparingPool } from '../../src/store/pg-prepared.ts';

/**
 * Statements with parameters run as named prepared statements on each
 * connection (parsed and planned once there); the results are the same as
 * unnamed ones, a table changed under a prepared `select *` costs one failed
 * statement, and past the cap statements go unnamed.
 */
const databaseUrl = process.env.DATABASE_URL;
const schema = `tp_prep_${randomBytes(5).toString('hex')}`;

describe.skipIf(!databaseUrl)('prepared statements on PostgreSQL (needs DATABASE_URL)', () => {
  let pool: pg.Pool;
  let db: Kysely<{ t: { a: number; b: string } }>;

  const open = async (maxNamed?: number) => {
    // One connection: what it has prepared is what pg_prepared_statements shows.
    pool = new pg.Pool({ connectionString: databaseUrl, max: 1, options: `-c search_path=${schema}` });
    await pool.query(`create schema if not exists ${schema}`);
    await pool.query('create table t (a int, b text)');
    db = new Kysely({ dialect: new PostgresDialect({ pool: preparingPool(pool, pg.Client, maxNamed) }) });
  };
  const prepared = async () =>
    (await sql<{ statement: string }>`select statement from pg_prepared_statements`.execute(db)).rows.map(
      (r) => r.statement,
    );

  afterEach(async () => {
    await db.destroy();
    const admin = new pg.Client({ connectionString: databaseUrl });
    await admin.connect();
    await admin.query(`drop schema if exists ${schema} cascade`);
    await admin.end();
  });

  it('prepares a statement with parameters once per connection and returns what an unnamed one would', async () => {
    await open();
    const inserted = await db
      .insertInto('t')
      .values([
        { a: 1, b: 'x' },
        { a: 2, b: 'y' },
      ])
      .executeTakeFirst();
    expect(Number(inserted.numInsertedOrUpdatedRows)).toBe(2);
    for (const a of [1, 2, 1]) {
      const rows = await db.selectFrom('t').selectAll().where('a', '=', a).execute();
      expect(rows).toEqual([{ a, b: a === 1 ? 'x' : 'y' }]);
    }
    const updated = await db.updateTable('t').set({ b: 'z' }).where('a', '=', 2).executeTakeFirst();
    expect(Number(updated.numUpdatedRows)).toBe(1);
    const statements = await prepared();
    expect(statements.filter((s) => s.startsWith('select * from "t" where "a" = $1'))).toHaveLength(1);
    expect(statements.some((s) => s.startsWith('update "t"'))).toBe(true);
    // Transaction control has no parameters: it stays a simple query.
    await db.transaction().execute((trx) => trx.selectFrom('t').selectAll().where('a', '=', 1).execute());
    expect((await prepared()).some((s) => /^(begin|commit)/i.test(s))).toBe(false);
  });

  it('recovers from a table changed under a prepared select * with one failed statement', async () => {
    await open();
    await db.insertInto('t').values({ a: 1, b: 'x' }).execute();
    const read = () => db.selectFrom('t').selectAll().where('a', '=', 1).execute();
    await read();
    // Another router's migration adds a column.
    await sql`alter table t add column c int`.execute(db);
    await expect(read()).rejects.toMatchObject({ code: '0A000' });
    expect(await read()).toEqual([{ a: 1, b: 'x', c: null }]);
  });

  it('runs statements past the cap unnamed', async () => {
    await open(1);
    await db.selectFrom('t').selectAll().where('a', '=', 1).execute();
    await db.selectFrom('t').select('b').where('a', '=', 2).execute();
    await db.selectFrom('t').select('b').where('a', '=', 2).execute();
    const statements = await prepared();
    expect(statements.some((s) => s.startsWith('select * from "t"'))).toBe(true);
    expect(statements.some((s) => s.startsWith('select "b" from "t"'))).toBe(false);
  });
});
