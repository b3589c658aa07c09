import { mkdtemp, rm } from 'node:fs/promises';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { afterEach, beforeEach, describe, expect, it, vi } from 'vitest';
import { VirtualClock } from '../../src/clock.ts';
import { silentLogger } from '../../src/log.ts';
import { createIngestor, type Ingestor } from '../../src/pipeline/ingest.ts';
import type { Router, RouterOptions } from '../../src/pipeline/router.ts';
import type { InboundEvent, Store } from '../../src/store/contract.ts';
import { openStore } from '../../src/store/open.ts';
import { engineRouteDeps } from '../../src/testkit/engine-deps.ts';
import { settle } from '../outbox/fixture.ts';
import { testSettings } from '../support/settings.ts';
import { envelope, testRouter } from './harness.ts';

/**
 * When the running router looks at the store: at once when asked (kick) and while it is behind
 * (offers refused for room), not only at its poll. The virtual clock never moves unless a test
 * says so, so an event routed here was routed without waiting for the poll.
 */
let dir: string;
let store: Store;
let clock: VirtualClock;
let stored: InboundEvent[];
let ingestor: Ingestor;
let router: Router | null;

beforeEach(async () => {
  dir = await mkdtemp(join(tmpdir(), 'tp-router-loop-'));
  store = await openStore({ dataDir: dir, synchronous: 'normal', log: silentLogger });
  clock = new VirtualClock(Date.UTC(2026, 0, 5, 10));
  stored = [];
  ingestor = createIngestor({ store, clock, log: silentLogger, onStored: (events) => stored.push(...events) });
  router = null;
});
afterEach(async () => {
  await router?.stop();
  await store.close();
  await rm(dir, { recursive: true, force: true });
});

function start(over: Partial<RouterOptions> = {}): { texts: string[]; adopted: string[] } {
  const texts: string[] = [];
  const adopted: string[] = [];
  router = create({
    onRouted: (routed, rows) => {
      for (const r of routed) for (const m of r.messages) if (m.direction === 'inbound') texts.push(m.text);
      adopted.push(...rows.map((a) => a.job.id));
    },
    ...over,
  });
  router.start();
  return { texts, adopted };
}

function create(over: Partial<RouterOptions> = {}): Router {
  return testRouter({ store, clock, ...over });
}

const onThread = (n: number) =>
  envelope({
    providerId: `p${n}`,
    threadKey: `webchat:v${n}`,
    from: { kind: 'webchat', value: `v${n}` },
    text: `m${n}`,
  });

describe('the running router', () => {
  it('claims at once, when kicked, an event stored without being offered to it', async () => {
    const { texts } = start();
    await settle();
    await ingestor.ingest(onThread(1));
    await settle();
    expect(texts).toEqual([]);
    router?.kick();
    await vi.waitFor(() => expect(texts).toEqual(['m1']));
  });

  it('when more is offered than it may hold, claims batch after batch until the store is caught up', async () => {
    const { texts } = start({ maxHeld: 2, batchSize: 2 });
    await settle();
    for (let n = 1; n <= 5; n++) await ingestor.ingest(onThread(n));
    router?.offer(stored);
    await vi.waitFor(() => expect([...texts].sort()).toEqual(['m1', 'm2', 'm3', 'm4', 'm5']));
  });

  it('reports each routed event’s wait from when it was stored', async () => {
    const waits: number[] = [];
    const { texts } = start({ onRouteLatency: (ms) => waits.push(ms) });
    await settle();
    await ingestor.ingest(onThread(1));
    clock.advance(1_500); // past the poll: the loop claims it
    await vi.waitFor(() => expect(texts).toEqual(['m1']));
    expect(waits).toEqual([1_500]);
  });

  it('routes what is offered from memory, up to what it may hold, without a claim', async () => {
    const claims = vi.spyOn(store, 'claimInbound');
    const { texts } = start({ maxHeld: 2 });
    await vi.waitFor(() => expect(claims).toHaveBeenCalledTimes(1)); // the first round looks at the store
    for (let n = 1; n <= 2; n++) await ingestor.ingest(onThread(n));
    router?.offer(stored);
    await vi.waitFor(() => expect([...texts].sort()).toEqual(['m1', 'm2']));
    expect(claims).toHaveBeenCalledTimes(1);
  });

  it('reads its routing steps afresh for each event when given them as a function', async () => {
    const read = vi.fn(() => engineRouteDeps(testSettings(), { destinationOf: (_c, t) => t }));
    const { texts } = start({ deps: read });
    await settle();
    await ingestor.ingest(onThread(1));
    router?.kick();
    await vi.waitFor(() => expect(texts).toEqual(['m1']));
    expect(read).toHaveBeenCalledTimes(1);
  });

  for (const batchTransactions of [true, false]) {
    it(`passes on the replies it adopted (${batchTransactions ? 'batched' : 'per-event'} transactions)`, async () => {
      const { texts, adopted } = start({ batchTransactions, adoptOutbound: { owner: 'w1', leaseMs: 30_000 } });
      await settle();
      // A question the test settings answer: each gets a reply.
      for (let n = 1; n <= 3; n++) await ingestor.ingest({ ...onThread(n), text: 'how much is a loaf?' });
      router?.kick();
      await vi.waitFor(() => expect(texts).toHaveLength(3));
      const replies = await store.claimOutbox({ owner: 'w2', now: clock.now() + 60_000, leaseMs: 1, limit: 10 });
      expect(new Set(adopted)).toEqual(new Set(replies.map((j) => j.id)));
      expect(adopted.length).toBeGreaterThan(0);
    });
  }
});

describe('per-event transactions', () => {
  it('route an event offered twice once, and pass on only what was routed', async () => {
    const { texts } = start({ batchTransactions: false });
    await settle();
    await ingestor.ingest(onThread(1));
    router?.offer([...stored, ...stored]);
    await vi.waitFor(() => expect(texts).toEqual(['m1']));
    await router?.drain();
    expect(texts).toEqual(['m1']);
  });
});

describe('drain and stop', () => {
  it('drain() routes batch after batch until nothing is left, every thread with few workers', async () => {
    for (let n = 1; n <= 5; n++) await ingestor.ingest(onThread(n));
    const texts: string[] = [];
    const r = create({
      batchSize: 4,
      batchTransactions: false,
      onRouted: (routed) => {
        for (const x of routed) for (const m of x.messages) if (m.direction === 'inbound') texts.push(m.text);
      },
    });
    await r.drain();
    expect([...texts].sort()).toEqual(['m1', 'm2', 'm3', 'm4', 'm5']);
  });

  it('stop() hands back the events reserved for it, so another router takes them at once', async () => {
    const reserving = createIngestor({
      store,
      clock,
      log: silentLogger,
      reserveFor: { owner: 'r1', leaseMs: 30_000 },
      onStored: () => {},
    });
    await reserving.ingest(onThread(1));
    await create().stop();
    const taken = await store.claimInbound({ owner: 'r2', now: clock.now(), leaseMs: 30_000, limit: 10 });
    expect(taken.map((e) => e.envelope.text)).toEqual(['m1']);
  });
});
