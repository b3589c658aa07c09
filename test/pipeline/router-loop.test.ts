import { mkdtemp, rm } from 'node:fs/promises';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { afterEach, beforeEach, describe, expect, it, vi } from 'vitest';
import { VirtualClock } from '../../src/clock.ts';
import { silentLogger } from '../../src/log.ts';
import { createIngestor, type Ingestor } from '../../src/pipeline/ingest.ts';
import { createRouter, type Router, type RouterOptions } from '../../src/pipeline/router.ts';
import type { InboundEvent, Store } from '../../src/store/contract.ts';
import { openStore } from '../../src/store/open.ts';
import { engineRouteDeps } from '../../src/testkit/engine-deps.ts';
import { settle } from '../outbox/fixture.ts';
import { testSettings } from '../support/settings.ts';
import { envelope } from './harness.ts';

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

function start(over: Partial<RouterOptions> = {}): { texts: string[] } {
  const texts: string[] = [];
  router = createRouter({
    store,
    clock,
    log: silentLogger,
    owner: 'r1',
    leaseMs: 30_000,
    batchSize: 100,
    workers: 2,
    maxAttempts: 3,
    batchTransactions: true,
    deps: engineRouteDeps(testSettings(), { destinationOf: (_c, t) => t }),
    onRouted: (routed) => {
      for (const r of routed) for (const m of r.messages) if (m.direction === 'inbound') texts.push(m.text);
    },
    ...over,
  });
  router.start();
  return { texts };
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
});
