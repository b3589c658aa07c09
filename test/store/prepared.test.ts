import { DatabaseSync } from 'node:sqlite';
import { Kysely } from 'kysely';
import { afterEach, beforeEach, describe, expect, it } from 'vitest';
import { silentLogger } from '../../src/log.ts';
import { migrate } from '../../src/store/migrations.ts';
import { Prepared, PreparedFamily } from '../../src/store/prepared.ts';
import type { Ctx } from '../../src/store/query-helpers.ts';
import type { Database } from '../../src/store/schema.ts';
import { nodeSqliteDialect } from '../../src/store/sqlite-dialect.ts';

let raw: DatabaseSync;
let ctx: Ctx;
let prepares: string[];

beforeEach(async () => {
  raw = new DatabaseSync(':memory:');
  const { dialect, statements } = nodeSqliteDialect(raw);
  prepares = [];
  const counted = {
    prepare(text: string) {
      prepares.push(text);
      return statements.prepare(text);
    },
  };
  const db = new Kysely<Database>({ dialect });
  await migrate(db, 'sqlite', silentLogger);
  ctx = { db, kind: 'sqlite', statements: counted };
});

afterEach(() => raw.close());

describe('prepared queries', () => {
  it('are built once per dialect and filled in at each run, next to values the builder bound itself', async () => {
    let builds = 0;
    const insert = new Prepared<{ id: string; name: string }, unknown>((db, p) => {
      builds++;
      return db.insertInto('contacts').values({
        id: p.id,
        name: p.name,
        vip: 0,
        language: 'en',
        timezone: null,
        opt_outs: '[]',
        attributes: '{}',
        created_at: 7,
      });
    });
    const byName = new Prepared<{ name: string }, { id: string; language: string | null }>((db, p) => {
      builds++;
      return db.selectFrom('contacts').select(['id', 'language']).where('name', '=', p.name).orderBy('id');
    });
    await ctx.db.transaction().execute(async (trx) => {
      const inTx = { ...ctx, db: trx };
      expect(await insert.run(inTx, { id: 'c1', name: 'Ann' })).toBe(1);
      expect(await insert.run(inTx, { id: 'c2', name: 'Ann' })).toBe(1);
      expect(await insert.run(inTx, { id: 'c3', name: 'Bob' })).toBe(1);
      expect(await byName.rows(inTx, { name: 'Ann' })).toEqual([
        { id: 'c1', language: 'en' },
        { id: 'c2', language: 'en' },
      ]);
    });
    // Outside a transaction the same query goes through Kysely's executor, with the same answer.
    expect(await byName.first(ctx, { name: 'Bob' })).toEqual({ id: 'c3', language: 'en' });
    expect(builds).toBe(2);
  });

  it('run on the connection directly only inside a transaction, which holds it', async () => {
    const count = new Prepared<Record<string, never>, { n: number }>((db) =>
      db.selectFrom('contacts').select((eb) => eb.fn.countAll<number>().as('n')),
    );
    await count.first(ctx, {});
    expect(prepares).toEqual([]);
    await ctx.db.transaction().execute((trx) => count.first({ ...ctx, db: trx }, {}));
    expect(prepares).toHaveLength(1);
  });

  it('come one per shape in a family, each built once', async () => {
    let builds = 0;
    const update = new PreparedFamily<{ id: string } & Record<string, unknown>, unknown>((key, db, p) => {
      builds++;
      return db
        .updateTable('contacts')
        .set(Object.fromEntries(key.split(',').map((c) => [c, p[c]])))
        .where('id', '=', p.id);
    });
    await ctx.db
      .insertInto('contacts')
      .values({
        id: 'c1',
        name: 'Ann',
        vip: 0,
        language: null,
        timezone: null,
        opt_outs: '[]',
        attributes: '{}',
        created_at: 1,
      })
      .execute();
    await ctx.db.transaction().execute(async (trx) => {
      const inTx = { ...ctx, db: trx };
      await update.of('name').run(inTx, { id: 'c1', name: 'Anna' });
      await update.of('name,language').run(inTx, { id: 'c1', name: 'Annie', language: 'de' });
      await update.of('name').run(inTx, { id: 'c1', name: 'Ann' });
    });
    expect(builds).toBe(2);
    expect(await ctx.db.selectFrom('contacts').select(['name', 'language']).executeTakeFirst()).toEqual({
      name: 'Ann',
      language: 'de',
    });
  });
});
