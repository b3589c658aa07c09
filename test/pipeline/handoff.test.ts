import { randomBytes } from 'node:crypto';
import { mkdtemp, rm } from 'node:fs/promises';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import pg from 'pg';
import { afterEach, describe, expect, it } from 'vitest';
import { VirtualClock } from '../../src/clock.ts';
import type { RouteContext } from '../../src/decide/context.ts';
import type { RouteDeps } from '../../src/decide/route-event.ts';
import { silentLogger } from '../../src/log.ts';
import type { Envelope } from '../../src/model/types.ts';
import { createIngestor, type Ingestor } from '../../src/pipeline/ingest.ts';
import { createRouter, type Router } from '../../src/pipeline/router.ts';
import type { AdoptedOutbound, Store, StoreTx, TransactionOptions } from '../../src/store/contract.ts';
import { openStore } from '../../src/store/open.ts';
import { engineRouteDeps } from '../../src/testkit/engine-deps.ts';
import { testSettings } from '../support/settings.ts';

/**
 * The in-memory path from ingest to router to outbox: events stored reserved
 * for the router are routed without a claim, and their replies are adopted by
 * the outbox worker; anything out of turn falls back to the claims, in order.
 */
const databaseUrl = process.env.DATABASE_URL;

interface Rig {
  store: Store;
  clock: VirtualClock;
  ingestor: Ingestor;
  router: Router;
  adopted: AdoptedOutbound[];
  /** How many events each claim returned. */
  claims: number[];
  /** Routing transactions begun. */
  transactions: { count: number };
  cleanup(): Promise<void>;
}

/** Runs `before` ahead of every routing step (a step that fails, for instance). */
function withBefore(deps: RouteDeps, before?: (ctx: RouteContext) => void): RouteDeps {
  if (!before) return deps;
  const { decide, settle } = deps.steps;
  return {
    ...deps,
    steps: {
      decide: async (ctx) => {
        before(ctx);
        await decide(ctx);
      },
      settle,
    },
  };
}

async function rig(
  kind: 'sqlite' | 'postgres',
  opts: { maxHeld?: number; before?: (ctx: RouteContext) => void } = {},
): Promise<Rig> {
  const dir = await mkdtemp(join(tmpdir(), 'tp-handoff-'));
  const schema = kind === 'postgres' ? `tp_hand_${randomBytes(5).toString('hex')}` : null;
  const store =
    kind === 'postgres'
      ? await openStore({ databaseUrl, schema: schema ?? undefined, dataDir: dir, log: silentLogger })
      : await openStore({ dataDir: dir, synchronous: 'full', log: silentLogger });
  const claims: number[] = [];
  const claim = store.claimInbound.bind(store);
  store.claimInbound = async (lease) => {
    const events = await claim(lease);
    claims.push(events.length);
    return events;
  };
  const transactions = { count: 0 };
  const transaction = store.transaction.bind(store);
  store.transaction = <T>(fn: (tx: StoreTx) => Promise<T>, options?: TransactionOptions): Promise<T> => {
    transactions.count++;
    return transaction(fn, options);
  };
  const clock = new VirtualClock();
  const settings = testSettings();
  const adopted: AdoptedOutbound[] = [];
  const router = createRouter({
    store,
    clock,
    log: silentLogger,
    owner: 'router-1',
    leaseMs: 30_000,
    batchSize: 100,
    workers: 4,
    maxAttempts: 3,
    batchTransactions: kind === 'sqlite',
    adoptOutbound: { owner: 'outbox-1', leaseMs: 60_000 },
    ...(opts.maxHeld ? { maxHeld: opts.maxHeld } : {}),
    deps: withBefore(engineRouteDeps(settings, { destinationOf: (_c, threadKey) => `dest:${threadKey}` }), opts.before),
    onRouted: (_routed, rows) => adopted.push(...rows),
  });
  const ingestor = createIngestor({
    store,
    clock,
    log: silentLogger,
    reserveFor: { owner: 'router-1', leaseMs: 30_000 },
    onStored: (events) => router.offer(events),
  });
  // A first round finds nothing to claim: what follows comes through memory.
  await router.drain();
  claims.length = 0;
  return {
    store,
    clock,
    ingestor,
    router,
    adopted,
    claims,
    transactions,
    async cleanup() {
      await store.close();
      await rm(dir, { recursive: true, force: true });
      if (schema) {
        const admin = new pg.Client({ connectionString: databaseUrl });
        await admin.connect();
        await admin.query(`drop schema if exists ${schema} cascade`);
        await admin.end();
      }
    },
  };
}

/**
 * Waits in real time for work the test has set going (database round trips
 * on a busy machine), never moving the virtual clock: what is due later than
 * the clock stays undone, and the wait fails after 10 s.
 */
async function until(check: () => Promise<boolean>): Promise<void> {
  const deadline = Date.now() + 10_000;
  while (!(await check())) {
    if (Date.now() > deadline) throw new Error('condition not met within 10 s');
    await new Promise((r) => setTimeout(r, 5));
  }
}

function envelope(providerId: string, visitor: string, text: string): Envelope {
  return {
    channel: 'webchat',
    providerId,
    touchpoint: { channel: 'webchat', kind: 'webchat', visibility: 'private' },
    threadKey: `webchat:${visitor}`,
    from: { kind: 'webchat', value: visitor, name: 'Ada' },
    text,
  };
}

async function transcript(store: Store, visitor: string): Promise<string[]> {
  const conversation = await store.findConversationByThread('webchat', `webchat:${visitor}`, ['open']);
  if (!conversation) return [];
  return (await store.listMessages(conversation.id)).map((m) => `${m.direction === 'inbound' ? '>' : '<'} ${m.text}`);
}

const variants = [
  { name: 'SQLite', kind: 'sqlite' },
  { name: 'PostgreSQL (needs DATABASE_URL)', kind: 'postgres' },
] as const;

for (const v of variants) {
  describe.skipIf(v.kind === 'postgres' && !databaseUrl)(`in-memory handoff on ${v.name}`, () => {
    let r: Rig;
    afterEach(() => r.cleanup());

    it('routes offered events without claiming them, each thread in order, and adopts their replies', async () => {
      r = await rig(v.kind);
      await r.ingestor.ingest(envelope('a1', 'ann', 'hello'));
      await r.ingestor.ingest(envelope('b1', 'bob', 'how much is bread?'));
      await r.ingestor.ingest(envelope('a2', 'ann', 'how much is a cake?'));
      await r.router.drain();
      expect(r.claims.every((n) => n === 0)).toBe(true);
      expect(await transcript(r.store, 'ann')).toEqual([
        '> hello',
        '< Hello Ada, welcome to Test Shop!',
        '> how much is a cake?',
        '< A loaf is £4.',
      ]);
      expect(await transcript(r.store, 'bob')).toEqual(['> how much is bread?', '< A loaf is £4.']);
      expect(await r.store.countInbound('pending')).toBe(0);
      // The replies are the outbox worker's already: nobody else can claim them while its lease runs.
      const until = r.clock.now() + 60_000;
      expect(r.adopted.map((a) => [a.message.text, a.job.destination, a.leaseUntil]).sort()).toEqual([
        ['A loaf is £4.', 'dest:webchat:ann', until],
        ['A loaf is £4.', 'dest:webchat:bob', until],
        ['Hello Ada, welcome to Test Shop!', 'dest:webchat:ann', until],
      ]);
      expect(await r.store.claimOutbox({ owner: 'other', now: r.clock.now(), leaseMs: 1000, limit: 10 })).toEqual([]);
    });

    it('routes a busy round in a few transactions of several threads each, each thread in order', async () => {
      r = await rig(v.kind);
      const visitors = Array.from({ length: 10 }, (_, k) => `v${k}`);
      for (const i of [1, 2])
        for (const who of visitors) await r.ingestor.ingest(envelope(`${who}-${i}`, who, `note ${i}`));
      r.transactions.count = 0;
      await r.router.drain();
      // PostgreSQL: 20 events in 3 transactions side by side (8 events at least in each); SQLite: the round in one.
      expect(r.transactions.count).toBe(v.kind === 'postgres' ? 3 : 1);
      for (const who of visitors) {
        const inbound = (await transcript(r.store, who)).filter((line) => line.startsWith('>'));
        expect(inbound).toEqual(['> note 1', '> note 2']);
      }
      expect(await r.store.countInbound('pending')).toBe(0);
    });

    it('leaves an event behind a failed one of its thread to the claims, which keep the order', async () => {
      let failUntil = Number.POSITIVE_INFINITY;
      const failOnce = (ctx: RouteContext) => {
        if (ctx.message.text === 'boom' && ctx.now < failUntil) throw new Error('a hook failed');
      };
      r = await rig(v.kind, { before: failOnce });
      failUntil = r.clock.now() + 1;
      await r.ingestor.ingest(envelope('a1', 'ann', 'boom'));
      await r.router.drain();
      await r.ingestor.ingest(envelope('a2', 'ann', 'hello'));
      await r.ingestor.ingest(envelope('b1', 'bob', 'hello'));
      await r.router.drain();
      // Bob's thread is not held up; Ann's second message waits for the retry of her first.
      expect(await transcript(r.store, 'bob')).toEqual(['> hello', '< Hello Ada, welcome to Test Shop!']);
      expect(await transcript(r.store, 'ann')).toEqual([]);
      expect(await r.store.countInbound('pending')).toBe(2);

      r.clock.advance(2_000);
      await r.router.drain();
      expect(await transcript(r.store, 'ann')).toEqual(['> boom', '> hello', '< Hello Ada, welcome to Test Shop!']);
      expect(await r.store.countInbound('pending')).toBe(0);
    });

    it('routes once an offered event that a claim reached first, and spends no transaction on it again', async () => {
      r = await rig(v.kind);
      await r.ingestor.ingest(envelope('a1', 'ann', 'hello'));
      // A second later the round claims from the store before it looks at memory.
      r.clock.advance(1_000);
      r.transactions.count = 0;
      await r.router.drain();
      expect(r.claims[0]).toBe(1);
      expect(r.transactions.count).toBe(1);
      expect(await transcript(r.store, 'ann')).toEqual(['> hello', '< Hello Ada, welcome to Test Shop!']);
      expect(r.adopted).toHaveLength(1);
    });

    it('asks the store again within milliseconds after an event waited for one held by another instance', async () => {
      r = await rig(v.kind);
      const [held] = await r.store.insertInbound(
        [
          {
            channel: 'webchat',
            providerId: 'a1',
            threadKey: 'webchat:ann',
            envelope: envelope('a1', 'ann', 'hello'),
            receivedAt: r.clock.now(),
          },
        ],
        { owner: 'router-2', until: r.clock.now() + 30_000 },
      );
      await r.ingestor.ingest(envelope('a2', 'ann', 'how much is a cake?'));
      r.router.start();
      // Its first round found the thread held (however long the database took): it waits on the virtual clock.
      await until(async () => r.claims.length > 0);
      expect(await r.store.countInbound('pending')).toBe(2);
      // The other instance finishes its event; this one sees the thread free at its next quick look.
      await r.store.completeInbound(held!.eventId, r.clock.now(), null);
      r.clock.advance(60);
      await until(async () => (await transcript(r.store, 'ann')).length === 2);
      await r.router.stop();
      expect(await transcript(r.store, 'ann')).toEqual(['> how much is a cake?', '< A loaf is £4.']);
    });

    it('takes events from the store, in order, when more are offered than it holds', async () => {
      r = await rig(v.kind, { maxHeld: 2 });
      await Promise.all([1, 2, 3, 4].map((i) => r.ingestor.ingest(envelope(`a${i}`, 'ann', `hello ${i}`))));
      await r.router.drain();
      expect(r.claims.some((n) => n > 0)).toBe(true);
      const inbound = (await transcript(r.store, 'ann')).filter((line) => line.startsWith('>'));
      expect(inbound).toEqual(['> hello 1', '> hello 2', '> hello 3', '> hello 4']);
      expect(await r.store.countInbound('pending')).toBe(0);
    });
  });
}
