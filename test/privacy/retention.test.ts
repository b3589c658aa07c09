import { mkdirSync, mkdtempSync, rmSync, statSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { DatabaseSync } from 'node:sqlite';
import { type Kysely, sql } from 'kysely';
import { afterAll, afterEach, describe, expect, it } from 'vitest';
import { VirtualClock } from '../../src/clock.ts';
import type { FactKind } from '../../src/facts/derive.ts';
import { silentLogger } from '../../src/log.ts';
import { runRetention } from '../../src/privacy/retention.ts';
import { createRetentionTimer, RETENTION_TIMER } from '../../src/privacy/retention-timer.ts';
import { type RetentionSettings, retentionFile } from '../../src/settings/retention-schema.ts';
import type { Store } from '../../src/store/contract.ts';
import { openStore, SQLITE_FILE } from '../../src/store/open.ts';
import type { Database } from '../../src/store/schema.ts';
import { createTimerScheduler } from '../../src/timers/scheduler.ts';
import { inbound, message, seed, T0 } from '../store/fixtures.ts';
import { dropSchema, freshSchema } from '../support/pg-schema.ts';

const DAY = 86_400_000;
const KINDS: FactKind[] = ['first_response', 'next_response', 'assigned', 'escalated', 'resolved', 'reopened', 'csat'];
const root = mkdtempSync(join(tmpdir(), 'touchpoint-retention-'));
let n = 0;
const freshDir = () => join(root, `db-${n++}`);
afterAll(() => rmSync(root, { recursive: true, force: true }));

const settings = (retention: unknown): RetentionSettings => retentionFile.parse({ retention }).retention;
const db = (store: Store) => (store as unknown as { db: Kysely<Database> }).db;
const countRows = async (store: Store, table: keyof Database) =>
  Number((await db(store).selectFrom(table).select(sql<number>`count(*)`.as('n')).executeTakeFirst())?.n ?? 0);

const stores: Array<{ name: string; open: () => Promise<Store>; cleanup?: () => Promise<void> }> = [
  { name: 'sqlite', open: () => openStore({ dataDir: freshDir(), log: silentLogger }) },
];
const databaseUrl = process.env.DATABASE_URL;
if (databaseUrl) {
  const schemas: string[] = [];
  stores.push({
    name: 'postgres',
    open: () => {
      const schema = freshSchema('tp_retention');
      schemas.push(schema);
      return openStore({ databaseUrl, schema, dataDir: '/nonexistent', log: silentLogger });
    },
    cleanup: async () => {
      for (const s of schemas.splice(0)) await dropSchema(databaseUrl, s);
    },
  });
}

/**
 * A small history: a resolved email conversation with a CSAT comment, an open
 * SMS one with a queued reply and a dead letter, a resolved one with a timer
 * still to fire, a routed and a pending inbound event, an unreadable payload.
 */
async function history(store: Store) {
  const resolved = await seed(store, { channel: 'email', status: 'resolved' });
  const waiting = await seed(store, { channel: 'email', status: 'resolved' });
  const open = await seed(store, { channel: 'sms' });
  const ids = await store.transaction(async (tx) => {
    const inResolved = await tx.insertMessage(
      message(resolved.conversation.id, { text: 'my card ends 4242', direction: 'inbound' }),
      T0,
    );
    await tx.insertMessage(message(resolved.conversation.id, { text: 'thanks!' }), T0);
    await tx.recordFact(resolved.conversation.id, 'csat', T0, { score: 5, comment: 'Ann was lovely' });
    await tx.insertMessage(message(waiting.conversation.id, { text: 'see you tomorrow' }), T0);
    await tx.scheduleTimer({ kind: 'flow.wait', conversationId: waiting.conversation.id, dueAt: T0 + 400 * DAY }, T0);
    const old = await tx.insertMessage(message(open.conversation.id, { text: 'old sms', direction: 'inbound' }), T0);
    const queuedMsg = await tx.insertMessage(message(open.conversation.id, { text: 'queued sms' }), T0);
    await tx.enqueueOutbound(
      { messageId: queuedMsg.id, conversationId: open.conversation.id, channel: 'sms', destination: '+1', dueAt: T0 },
      T0,
    );
    const deadMsg = await tx.insertMessage(message(open.conversation.id, { text: 'dead sms' }), T0);
    const dead = await tx.enqueueOutbound(
      { messageId: deadMsg.id, conversationId: open.conversation.id, channel: 'sms', destination: '+1', dueAt: T0 },
      T0,
    );
    return { inResolved, old, queuedMsg, deadMsg, dead };
  });
  await store.deadLetter(ids.dead.id, 'provider refused', T0);
  const [routed, pending] = await store.insertInbound([
    inbound('routed-1', 'r1', T0, 'email'),
    inbound('pending-1', 'p1', T0, 'email'),
  ]);
  await store.completeInbound(routed?.eventId as string, T0, resolved.conversation.id);
  await store.keepUnreadable({ channel: 'sms', reason: 'bad json', payload: '{', receivedAt: T0 });
  return { resolved, waiting, open, pendingEvent: pending?.eventId as string, ...ids };
}

const limits = settings({
  default: { rawPayloads: '7d', messages: '30d', resolvedConversations: '14d' },
  channels: { sms: { messages: '90d' } },
});

const metrics = async (store: Store) => ({
  facts: (await store.factsBetween(KINDS, 0, T0 + 400 * DAY)).map(({ comment: _c, ...f }) => f),
  created: await store.conversationFacts({ by: 'created', from: 0, to: T0 + 400 * DAY }),
});

describe.each(stores)('retention on $name', ({ open, cleanup }) => {
  let store: Store;
  afterEach(async () => {
    await store?.close();
    await cleanup?.();
  });

  it('counts on a dry run, then removes by age and channel, keeping what waits and the metrics', async () => {
    store = await open();
    const h = await history(store);
    const before = await metrics(store);
    const clock = new VirtualClock(T0);

    clock.advance(20 * DAY);
    const dry = await runRetention(store, limits, clock.now(), { dryRun: true });
    const counts = Object.fromEntries(dry.lines.map((l) => [`${l.kind}:${l.channel}`, l.count]));
    expect(counts).toEqual({
      'rawPayloads:*': 2, // the routed event and the unreadable payload; the pending event stays
      'messages:*': 0,
      'messages:sms': 0,
      'resolvedConversations:*': 1, // not the one with a timer still to fire
    });
    expect(await countRows(store, 'messages')).toBe(6);
    expect(await countRows(store, 'inbound_events')).toBe(2);

    const run = await runRetention(store, limits, clock.now());
    expect(run.lines.map((l) => l.count)).toEqual([2, 0, 0, 1]);
    expect(await countRows(store, 'unreadable_inbound')).toBe(0);
    const events = await db(store).selectFrom('inbound_events').select('id').execute();
    expect(events.map((e) => e.id)).toEqual([h.pendingEvent]);
    const shell = await store.getConversation(h.resolved.conversation.id);
    expect(shell).toMatchObject({ status: 'resolved', threadKey: `expired:${h.resolved.conversation.id}` });
    expect(await store.listMessages(h.resolved.conversation.id, { includeInternal: true })).toEqual([]);
    expect(await store.listMessages(h.waiting.conversation.id)).toHaveLength(1);
    expect(await metrics(store)).toEqual(before);
    expect((await store.csatAnswers([h.resolved.conversation.id])).map((c) => c.comment)).toEqual([null]);
    // Again: nothing left to do.
    expect((await runRetention(store, limits, clock.now())).lines.every((l) => l.count === 0)).toBe(true);

    clock.advance(20 * DAY); // 40 days: email messages go, SMS keeps 90 days
    await runRetention(store, limits, clock.now());
    expect(await store.listMessages(h.waiting.conversation.id)).toEqual([]);
    expect(await store.listMessages(h.open.conversation.id)).toHaveLength(3);

    clock.advance(60 * DAY); // 100 days: old SMS goes; the queued one and the dead letter stay
    const last = await runRetention(store, limits, clock.now());
    expect(last.lines.find((l) => l.kind === 'messages' && l.channel === 'sms')?.count).toBe(1);
    const left = await store.listMessages(h.open.conversation.id);
    expect(left.map((m) => m.text).sort()).toEqual(['dead sms', 'queued sms']);
    expect(await store.countOutbox('pending')).toBe(1);
    expect(await store.countOutbox('dead')).toBe(1);
    expect(await metrics(store)).toEqual(before);
  });

  it('deletes in batches of batchSize, pausing between them', async () => {
    store = await open();
    const { conversation } = await seed(store, { channel: 'email' });
    await store.transaction(async (tx) => {
      for (let i = 0; i < 25; i++) await tx.insertMessage(message(conversation.id, { text: `m${i}` }), T0);
    });
    let pauses = 0;
    const report = await runRetention(store, settings({ batchSize: 10, default: { messages: '1d' } }), T0 + 2 * DAY, {
      pause: async () => {
        pauses++;
      },
    });
    expect(report.lines[0]?.count).toBe(25);
    expect(pauses).toBe(3);
  });

  it('runs on its durable timer, every day, on the virtual clock', async () => {
    store = await open();
    const { conversation } = await seed(store, { channel: 'email' });
    const clock = new VirtualClock(T0);
    const retention = createRetentionTimer({
      store,
      clock,
      log: silentLogger,
      settings: () => settings({ default: { messages: '1d' } }),
    });
    const timers = createTimerScheduler({
      store,
      clock,
      log: silentLogger,
      owner: 'test:timers',
      leaseMs: 60_000,
      handlers: retention.handlers,
    });
    await retention.ensureScheduled();
    await retention.ensureScheduled(); // once only
    const pendingTimers = () =>
      db(store).selectFrom('timers').select(['kind', 'due_at']).where('status', '=', 'pending').execute();
    expect(await pendingTimers()).toEqual([{ kind: RETENTION_TIMER, due_at: T0 }]);

    const fire = async () => {
      expect(await timers.tick()).toBe(1);
      await new Promise((r) => setImmediate(r));
      return retention.idle();
    };
    await store.transaction((tx) => tx.insertMessage(message(conversation.id, { text: 'day one' }), T0));
    expect((await fire())?.lines[0]?.count).toBe(0);
    expect(await pendingTimers()).toEqual([{ kind: RETENTION_TIMER, due_at: T0 + DAY }]);

    clock.advance(DAY / 2);
    expect(await timers.tick()).toBe(0);
    clock.advance(DAY / 2 + 1);
    expect((await fire())?.lines[0]?.count).toBe(1);
    expect(await pendingTimers()).toEqual([{ kind: RETENTION_TIMER, due_at: T0 + 2 * DAY + 1 }]);
    await timers.stop();
    await retention.stop();
  });
});

describe('retention on SQLite gives the space back', () => {
  it('shrinks the file with incremental vacuum while the store stays open', async () => {
    const dataDir = freshDir();
    const file = join(dataDir, SQLITE_FILE);
    let store = await openStore({ dataDir, log: silentLogger });
    const { conversation } = await seed(store, { channel: 'email', status: 'resolved' });
    const big = 'x'.repeat(4000);
    for (let b = 0; b < 10; b++)
      await store.transaction(async (tx) => {
        for (let i = 0; i < 100; i++) await tx.insertMessage(message(conversation.id, { text: big }), T0);
      });
    await store.close();
    const full = statSync(file).size;

    store = await openStore({ dataDir, log: silentLogger });
    const report = await runRetention(store, settings({ default: { resolvedConversations: '1d' } }), T0 + 2 * DAY);
    expect(report.lines[0]?.count).toBe(1);
    expect(report.reclaimedPages).toBeGreaterThan(900);
    expect(await store.reclaimSpace(0)).toBe(0);
    await store.close();
    const after = statSync(file).size;
    expect(full).toBeGreaterThan(4_000_000);
    expect(after).toBeLessThan(full / 4);
  });

  it('switches a file made before incremental vacuum with one VACUUM at open, when asked', async () => {
    const dataDir = freshDir();
    mkdirSync(dataDir, { recursive: true });
    const raw = new DatabaseSync(join(dataDir, SQLITE_FILE));
    raw.exec('pragma journal_mode = wal; create table before_us (x text)');
    raw.close();
    const mode = async (s: Store) =>
      Number((await sql<{ auto_vacuum: number }>`pragma auto_vacuum`.execute(db(s))).rows[0]?.auto_vacuum);

    let store = await openStore({ dataDir, log: silentLogger });
    expect(await mode(store)).toBe(0);
    await store.close();
    store = await openStore({ dataDir, incrementalVacuum: true, log: silentLogger });
    expect(await mode(store)).toBe(2);
    await store.close();
  });
});
