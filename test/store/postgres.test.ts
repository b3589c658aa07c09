import { randomBytes } from 'node:crypto';
import { type Kysely, sql } from 'kysely';
import pg from 'pg';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { StoreError } from '../../src/errors.ts';
import { silentLogger } from '../../src/log.ts';
import type { Store } from '../../src/store/contract.ts';
import { openStore } from '../../src/store/open.ts';
import type { Database } from '../../src/store/schema.ts';
import { storeContract } from './contract.ts';
import { inbound, lease, queued, seed, T0 } from './fixtures.ts';

const databaseUrl = process.env.DATABASE_URL;
/** One fresh schema for this file, dropped afterwards. */
const schema = `tp_test_${randomBytes(6).toString('hex')}`;
const TABLES =
  'contacts, identities, conversations, messages, inbound_events, outbox, timers, channel_state, contact_merges, contact_suggestions, contact_tags, kpi_days';

describe.skipIf(!databaseUrl)('PostgreSQL store (runs only when DATABASE_URL is set)', () => {
  let admin: pg.Pool;

  beforeAll(() => {
    admin = new pg.Pool({ connectionString: databaseUrl, max: 2 });
  });
  afterAll(async () => {
    await admin.query(`drop schema if exists ${schema} cascade`);
    await admin.query(`drop schema if exists ${schema}_b cascade`);
    await admin.end();
  });

  const open = (s = schema) => openStore({ databaseUrl, schema: s, dataDir: '/nonexistent', log: silentLogger });

  storeContract('postgres', async () => {
    const store = await open();
    await admin.query(
      `truncate ${TABLES.split(', ')
        .map((t) => `${schema}.${t}`)
        .join(', ')} cascade`,
    );
    return store;
  });

  describe('PostgreSQL specifics', () => {
    let a: Store;
    let b: Store;

    beforeAll(async () => {
      a = await open();
      b = await open();
    });
    afterAll(async () => {
      await a?.close();
      await b?.close();
    });

    async function drain<T extends { id: string }>(
      claim: (store: Store, owner: string) => Promise<T[]>,
    ): Promise<[T[], T[]]> {
      const run = async (store: Store, owner: string) => {
        const got: T[] = [];
        for (let i = 0; i < 200; i++) {
          const batch = await claim(store, owner);
          if (batch.length === 0) break;
          got.push(...batch);
        }
        return got;
      };
      return Promise.all([run(a, 'A'), run(b, 'B')]);
    }

    it('never hands the same outbox row or timer to two concurrent claimers', async () => {
      await admin.query(
        `truncate ${TABLES.split(', ')
          .map((t) => `${schema}.${t}`)
          .join(', ')} cascade`,
      );
      const { conversation } = await seed(a);
      for (let i = 0; i < 40; i++) {
        await queued(a, conversation.id, T0 + i);
        await a.scheduleTimer({ kind: 'flow.wait', dueAt: T0 + i }, T0);
      }
      const [jobsA, jobsB] = await drain((s, owner) => s.claimOutbox(lease(owner, T0 + 100, 3)));
      const [timersA, timersB] = await drain((s, owner) => s.claimTimers(lease(owner, T0 + 100, 3)));
      for (const [x, y] of [
        [jobsA, jobsB],
        [timersA, timersB],
      ] as const) {
        const ids = [...x, ...y].map((r) => r.id);
        expect(new Set(ids).size).toBe(40);
        expect(ids).toHaveLength(40);
      }
    });

    it('gives a contested lock to exactly one of many claimants racing on separate connections', async () => {
      await admin.query(`truncate ${schema}.locks`);
      const wins = await Promise.all(
        Array.from({ length: 8 }, (_, i) => (i % 2 ? a : b).acquireLock('race', `owner-${i}`, T0, 30_000)),
      );
      expect(wins.filter(Boolean)).toHaveLength(1);
    });

    it.each([
      { threads: 6, limit: 2 },
      { threads: 1, limit: 1 },
    ])(
      'gives each thread to one claimer at a time, in order, under concurrency ($threads threads)',
      async ({ threads, limit }) => {
        await admin.query(`truncate ${schema}.inbound_events`);
        const events = [];
        for (let i = 0; i < 30; i++) events.push(inbound(`e${i}`, `thread-${i % threads}`, T0 + i));
        await a.insertInbound(events);
        const [fromA, fromB] = await drain((s, owner) => s.claimInbound(lease(owner, T0 + 100, limit)));
        const ids = [...fromA, ...fromB].map((e) => e.id);
        expect(new Set(ids).size).toBe(30);
        for (let t = 0; t < threads; t++) {
          const thread = `thread-${t}`;
          const heldByA = fromA.filter((e) => e.threadKey === thread);
          const heldByB = fromB.filter((e) => e.threadKey === thread);
          // Leases never expire here, so whoever took a thread's first event took all of it.
          expect(heldByA.length === 0 || heldByB.length === 0).toBe(true);
          const held = heldByA.length ? heldByA : heldByB;
          expect(held.map((e) => e.receivedAt)).toEqual([...held.map((e) => e.receivedAt)].sort((x, y) => x - y));
        }
      },
    );

    it('serialises transactions on one thread with an advisory lock, and only on that thread', async () => {
      const order: string[] = [];
      let release!: () => void;
      const gate = new Promise<void>((resolve) => {
        release = resolve;
      });
      let locked!: () => void;
      const holding = new Promise<void>((resolve) => {
        locked = resolve;
      });
      const first = a.transaction(async (tx) => {
        await tx.lockThread('email', 'same');
        order.push('a locked');
        locked();
        await gate;
        order.push('a done');
      });
      await holding;
      const second = b.transaction(async (tx) => {
        await tx.lockThread('email', 'same');
        order.push('b locked');
      });
      await b.transaction((tx) => tx.lockThread('email', 'other'));
      for (let i = 0; i < 500; i++) {
        const { rows } = await admin.query(
          "select count(*)::int as n from pg_locks where locktype = 'advisory' and not granted",
        );
        if (rows[0].n > 0) break;
      }
      expect(order).toEqual(['a locked']);
      release();
      await Promise.all([first, second]);
      expect(order).toEqual(['a locked', 'a done', 'b locked']);
    });

    it('locks several threads in one statement, always in ascending key order, with the locks lockThread takes', async () => {
      const { rows } = await admin.query<{ key: string; h: number }>(
        "select key, hashtext(key) as h from unnest(array['email:t1', 'email:t2']) as key order by h",
      );
      const [low, high] = rows.map((r) => r.key.slice('email:'.length)) as [string, string];
      const waiting = async () => {
        for (let i = 0; i < 500; i++) {
          const r = await admin.query(
            "select count(*)::int as n from pg_locks where locktype = 'advisory' and not granted",
          );
          if (r.rows[0].n > 0) return;
        }
        throw new Error('nobody waited for a lock');
      };
      const isFree = async (thread: string) => {
        const client = await admin.connect();
        try {
          await client.query('begin');
          const r = await client.query('select pg_try_advisory_xact_lock(hashtext($1)) as free', [`email:${thread}`]);
          return r.rows[0].free as boolean;
        } finally {
          await client.query('rollback');
          client.release();
        }
      };
      // Whatever order the threads are given in, the lower key is taken first: holding the higher one
      // elsewhere leaves the transaction waiting with the lower one held.
      for (const given of [
        [high, low],
        [low, high],
      ]) {
        let release!: () => void;
        const gate = new Promise<void>((resolve) => {
          release = resolve;
        });
        let held!: () => void;
        const holding = new Promise<void>((resolve) => {
          held = resolve;
        });
        const holder = a.transaction(async (tx) => {
          await tx.lockThread('email', high);
          held();
          await gate;
        });
        await holding;
        const locker = b.transaction((tx) =>
          tx.lockThreads(given.map((threadKey) => ({ channel: 'email', threadKey }))),
        );
        await waiting();
        expect(await isFree(low)).toBe(false);
        release();
        await Promise.all([holder, locker]);
        expect(await isFree(low)).toBe(true);
      }
    });

    it('prepares statements on its connections, and not with ?prepare=off in the URL', async () => {
      for (const [url, prepares] of [
        [databaseUrl ?? '', true],
        [`${databaseUrl}${databaseUrl?.includes('?') ? '&' : '?'}prepare=off`, false],
      ] as const) {
        const store = await openStore({ databaseUrl: url, schema, dataDir: '/nonexistent', log: silentLogger });
        try {
          const prepared = await store.transaction(async (tx) => {
            await tx.suppressed('email', 'prepare-test@example.com');
            // The transaction's own connection: prepared statements belong to a session.
            const { db } = tx as unknown as { db: Kysely<Database> };
            return (await sql<{ n: number }>`select count(*)::int as n from pg_prepared_statements`.execute(db)).rows[0]
              ?.n;
          });
          expect(prepared! > 0).toBe(prepares);
        } finally {
          await store.close();
        }
      }
    });

    it('migrates a fresh schema from two processes at once', async () => {
      const [x, y] = await Promise.all([open(`${schema}_b`), open(`${schema}_b`)]);
      await seed(x);
      expect(await y.listConversations({})).toHaveLength(1);
      await x.close();
      await y.close();
    });

    it('refuses a database migrated by a newer Touchpoint', async () => {
      await admin.query(
        `insert into ${schema}_b.schema_migrations (version, name, applied_at) values (999, 'future', 0)`,
      );
      await expect(open(`${schema}_b`)).rejects.toThrow(/schema version 999/);
    });

    it('explains a bad URL, a bad schema name and an unreachable server', async () => {
      const bad = (databaseUrl: string, schema?: string) =>
        openStore({ databaseUrl, schema, dataDir: '/nonexistent', log: silentLogger });
      await expect(bad('not a url')).rejects.toBeInstanceOf(StoreError);
      await expect(bad('mysql://localhost/db')).rejects.toThrow(/postgres:\/\//);
      await expect(bad(databaseUrl ?? '', 'x; drop table y')).rejects.toThrow(/schema name/);
      await expect(bad('postgres://postgres@127.0.0.1:1/test')).rejects.toThrow(/Cannot use PostgreSQL at 127.0.0.1:1/);
    });
  });
});
