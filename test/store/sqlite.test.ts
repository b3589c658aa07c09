import { existsSync, mkdirSync, mkdtempSync, rmSync, statSync, writeFileSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { DatabaseSync } from 'node:sqlite';
import { type Kysely, sql } from 'kysely';
import { afterAll, describe, expect, it } from 'vitest';
import { StoreError } from '../../src/errors.ts';
import { silentLogger } from '../../src/log.ts';
import type { Store } from '../../src/store/contract.ts';
import { openStore, SQLITE_FILE } from '../../src/store/open.ts';
import { withFileSyncs } from '../support/file-syncs.ts';
import { storeContract } from './contract.ts';
import { inbound, seed } from './fixtures.ts';

const root = mkdtempSync(join(tmpdir(), 'touchpoint-store-'));
let n = 0;
const freshDir = () => join(root, `db-${n++}`);

afterAll(() => rmSync(root, { recursive: true, force: true }));

storeContract('sqlite', () => openStore({ dataDir: freshDir(), log: silentLogger }));

describe('SQLite store file', () => {
  it('keeps its data across a reopen, migrating again as a no-op', async () => {
    const dataDir = freshDir();
    const first = await openStore({ dataDir, log: silentLogger });
    const { conversation } = await seed(first);
    await first.insertInbound([inbound('e1')]);
    await first.close();

    const second = await openStore({ dataDir, log: silentLogger });
    expect(await second.getConversation(conversation.id)).toEqual(conversation);
    expect(await second.insertInbound([inbound('e1')])).toMatchObject([{ duplicate: true }]);
    await second.close();
  });

  /** PRAGMA journal_mode and synchronous as the store's own connection runs them. */
  const pragmas = (store: Store) =>
    store.transaction(async (tx) => {
      const db = (tx as unknown as { db: Kysely<unknown> }).db;
      const journal = (await sql<{ journal_mode: string }>`pragma journal_mode`.execute(db)).rows[0]?.journal_mode;
      const synchronous = (await sql<{ synchronous: number }>`pragma synchronous`.execute(db)).rows[0]?.synchronous;
      return { journal, synchronous };
    });

  it('at synchronous "normal" runs WAL mode with NORMAL commits and never flushes the WAL', () =>
    withFileSyncs(async (syncs) => {
      const store = await openStore({ dataDir: freshDir(), synchronous: 'normal', log: silentLogger });
      expect(await pragmas(store)).toEqual({ journal: 'wal', synchronous: 1 });
      await store.insertInbound([inbound('normal-1')]);
      await store.durable();
      expect(syncs).toEqual([]);
      await store.close();
    }));

  it('at synchronous "full" commits at NORMAL and makes commits durable by flushing the WAL file', () =>
    withFileSyncs(async (syncs) => {
      const dataDir = freshDir();
      const datasyncs = () => syncs.filter((s) => s.kind === 'datasync');
      const store = await openStore({ dataDir, synchronous: 'full', log: silentLogger });
      expect(await pragmas(store)).toEqual({ journal: 'wal', synchronous: 1 });
      expect(await store.insertInbound([inbound('durable-1')])).toMatchObject([{ duplicate: false }]);
      expect(datasyncs()).toEqual([]);
      await store.durable();
      expect(datasyncs()).toEqual([{ kind: 'datasync', path: join(dataDir, `${SQLITE_FILE}-wal`) }]);
      expect(await pragmas(store)).toEqual({ journal: 'wal', synchronous: 1 });
      await store.close();
    }));

  it('checkpoints the WAL from a worker thread when asked to, and closes cleanly', async () => {
    const dataDir = freshDir();
    const store = await openStore({ dataDir, backgroundCheckpoints: true, log: silentLogger });
    const file = join(dataDir, SQLITE_FILE);
    const before = statSync(file).size;
    const big = 'x'.repeat(1_000);
    for (let i = 0; i < 5; i++) {
      await store.insertInbound(
        Array.from({ length: 100 }, (_, j) => ({
          ...inbound(`ck-${i}-${j}`),
          envelope: { ...inbound('e').envelope, text: big },
        })),
      );
    }
    // The main connection only checkpoints past 10,000 pages: the database file grows because the worker copied the WAL in.
    const deadline = Date.now() + 5_000;
    while (statSync(file).size <= before && Date.now() < deadline) await new Promise((r) => setTimeout(r, 25));
    expect(statSync(file).size).toBeGreaterThan(before + 300_000);
    await store.close();
    expect(existsSync(`${file}-wal`)).toBe(false);
  });

  it('refuses a database migrated by a newer Touchpoint', async () => {
    const dataDir = freshDir();
    await (await openStore({ dataDir, log: silentLogger })).close();
    const db = new DatabaseSync(join(dataDir, SQLITE_FILE));
    db.prepare('insert into schema_migrations (version, name, applied_at) values (?, ?, ?)').run(999, 'future', 0);
    db.close();
    const opening = openStore({ dataDir, log: silentLogger });
    await expect(opening).rejects.toBeInstanceOf(StoreError);
    await expect(opening).rejects.toThrow(/schema version 999/);
  });

  it('lower-cases stored email identities when it gains contacts across channels, keeping every spelling of a clash', async () => {
    const dataDir = freshDir();
    await (await openStore({ dataDir, log: silentLogger })).close();
    const db = new DatabaseSync(join(dataDir, SQLITE_FILE));
    // Back to the schema before contacts across channels (version 6), with identities as earlier versions stored them.
    db.exec('drop table contact_merges; drop table contact_suggestions; drop table contact_tags');
    db.exec('drop table conversation_facts; drop table facts; drop table contact_history');
    db.exec('drop index conversations_dimensions; drop index contacts_vip');
    db.exec('drop index messages_channel_age; drop index inbound_events_done_age');
    db.exec(
      'drop table audit_log; drop table agent_tokens; drop table agents; drop table erasures; drop table tombstones',
    );
    db.exec('drop table instances');
    db.exec('drop table broadcast_recipients; drop table broadcasts');
    db.exec('drop table media_fetches');
    db.exec('drop table resolutions; drop index conversations_assignee');
    db.exec('drop table webhook_deliveries; drop table bug_links; drop table bugs');
    db.exec('drop table crises; drop table qa_reviews');
    db.exec('drop table blob_sweeps');
    db.exec('drop table kpi_days');
    db.exec('delete from schema_migrations where version >= 6');
    db.exec(
      `insert into contacts (id, opt_outs, attributes, created_at) values ('c1', '[]', '{}', 0), ('c2', '[]', '{}', 0)`,
    );
    db.exec(`insert into identities (id, contact_id, kind, value) values
      ('i1', 'c1', 'email', 'Ann@Shop.test'), ('i2', 'c2', 'email', 'BOB@shop.test'), ('i3', 'c2', 'email', 'bob@Shop.test'),
      ('i4', 'c2', 'slack', 'UABC')`);
    db.close();
    const store = await openStore({ dataDir, log: silentLogger });
    expect((await store.listIdentities('c1')).map((i) => i.value)).toEqual(['ann@shop.test']);
    expect((await store.listIdentities('c2')).map((i) => i.value)).toEqual(['BOB@shop.test', 'bob@Shop.test', 'UABC']);
    await store.close();
  });

  it('explains a data folder it cannot use', async () => {
    const file = join(root, 'not-a-folder');
    writeFileSync(file, 'x');
    await expect(openStore({ dataDir: file, log: silentLogger })).rejects.toThrow(/Cannot open the SQLite database/);
  });

  it('explains a file that is not a database', async () => {
    const dataDir = freshDir();
    mkdirSync(dataDir);
    writeFileSync(
      join(dataDir, SQLITE_FILE),
      'this is not a database, just text long enough to have a header'.repeat(20),
    );
    await expect(openStore({ dataDir, log: silentLogger })).rejects.toBeInstanceOf(StoreError);
  });
});
