import { mkdtemp, rm } from 'node:fs/promises';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { afterEach, beforeEach, describe, expect, it } from 'vitest';
import { VirtualClock } from '../../src/clock.ts';
import type { RouteDeps } from '../../src/decide/route-event.ts';
import { silentLogger } from '../../src/log.ts';
import { createIngestor, type Ingestor } from '../../src/pipeline/ingest.ts';
import { createRouter, type Router } from '../../src/pipeline/router.ts';
import type { Store } from '../../src/store/contract.ts';
import { openStore } from '../../src/store/open.ts';
import { engineRouteDeps } from '../../src/testkit/engine-deps.ts';
import { capturedLog } from '../support/log-capture.ts';
import { testSettings } from '../support/settings.ts';
import { testRouter, visitorSays } from './harness.ts';

/**
 * An event whose routing fails is retried after a wait and given up after
 * maxAttempts, while the other threads go on; its own thread waits behind it,
 * so a customer's later message is never answered before an earlier one.
 */
let dir: string;
let store: Store;
let clock: VirtualClock;
let ingestor: Ingestor;
let routedTexts: string[];

/** Routing deps whose decision throws for the text "boom" while `failures.left` > 0. */
function failing(failures: { left: number }): RouteDeps {
  const deps = engineRouteDeps(testSettings(), { destinationOf: (_c, t) => t });
  return {
    ...deps,
    steps: {
      decide: async (ctx) => {
        if (ctx.envelope.text === 'boom' && failures.left-- > 0) throw new Error('a flow crashed');
        await deps.steps.decide(ctx);
      },
      settle: (ctx) => deps.steps.settle(ctx),
    },
  };
}

function router(batchTransactions: boolean, failures: { left: number }): Router {
  return testRouter({
    store,
    clock,
    backoff: (n) => n * 1_000,
    batchTransactions,
    deps: failing(failures),
    onRouted: (routed) => {
      for (const r of routed) for (const m of r.messages) if (m.direction === 'inbound') routedTexts.push(m.text);
    },
  });
}

const envelope = visitorSays;

beforeEach(async () => {
  dir = await mkdtemp(join(tmpdir(), 'tp-router-fail-'));
  store = await openStore({ dataDir: dir, synchronous: 'normal', log: silentLogger });
  clock = new VirtualClock(Date.UTC(2026, 0, 5, 10));
  ingestor = createIngestor({ store, clock, log: silentLogger, onStored: () => {} });
  routedTexts = [];
});
afterEach(async () => {
  await store.close();
  await rm(dir, { recursive: true, force: true });
});

for (const batched of [true, false]) {
  describe(`routing failures (${batched ? 'batched' : 'per-event'} transactions)`, () => {
    it('routes the other threads, keeps the failed thread in order, and retries after the backoff', async () => {
      // The failure fails the transaction of several events first (the round's, or that of thread a's two), then the event alone.
      const r = router(batched, { left: 2 });
      await ingestor.ingest(envelope('a', 'a1', 'boom'));
      await ingestor.ingest(envelope('a', 'a2', 'after the boom'));
      await ingestor.ingest(envelope('b', 'b1', 'hello'));
      await r.drain();
      expect(routedTexts).toEqual(['hello']);
      expect(await store.countInbound('pending')).toBe(2);

      clock.advance(1_999); // the first retry waits backoff(2) = 2 s
      await r.drain();
      expect(routedTexts).toEqual(['hello']);
      clock.advance(1);
      await r.drain();
      expect(routedTexts.slice(0, 2)).toEqual(['hello', 'boom']);
      clock.advance(30_000); // the later message of the thread, at the latest once its lease is over
      await r.drain();
      expect(routedTexts).toEqual(['hello', 'boom', 'after the boom']);
      expect(await store.countInbound('done')).toBe(3);
    });

    it('gives up on an event after maxAttempts and marks it failed', async () => {
      const failures = { left: 20 };
      const r = router(batched, failures);
      await ingestor.ingest(envelope('a', 'a1', 'boom'));
      for (let i = 0; i < 5; i++) {
        await r.drain();
        clock.advance(10_000);
      }
      expect(await store.countInbound('failed')).toBe(1);
      expect(await store.countInbound('pending')).toBe(0);
      expect(routedTexts).toEqual([]);
      // Three attempts (batched, each round also tries the batch first).
      expect(20 - failures.left).toBe(batched ? 6 : 3);
    });
  });
}

describe('a commit the store cannot make durable', () => {
  it('hands nothing on (nothing is sent on it), says so, and the next round goes on', async () => {
    const { log, lines } = capturedLog();
    let refuse = true;
    const flaky = new Proxy(store, {
      get(target, key) {
        if (key === 'durable' && refuse) {
          return () => {
            refuse = false;
            return Promise.reject(new Error('fsync failed'));
          };
        }
        const v = Reflect.get(target, key) as unknown;
        return typeof v === 'function' ? v.bind(target) : v;
      },
    });
    const handed: string[][] = [];
    const r = createRouter({
      store: flaky,
      clock,
      log,
      owner: 'r1',
      leaseMs: 30_000,
      batchSize: 100,
      workers: 1,
      maxAttempts: 3,
      batchTransactions: true,
      deps: failing({ left: 0 }),
      onRouted: (routed) => handed.push(routed.map((x) => x.threadKey)),
    });
    await ingestor.ingest(envelope('a', 'a1', 'hello'));
    await r.drain();
    expect(handed).toEqual([]);
    expect(lines.find((l) => l.msg === 'the store could not make routing decisions durable')).toMatchObject({
      routed: 1,
    });
    await ingestor.ingest(envelope('b', 'b1', 'hello'));
    await r.drain();
    expect(handed).toEqual([['webchat:b']]);
  });
});
