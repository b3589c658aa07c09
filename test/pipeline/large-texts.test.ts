import { mkdtemp, rm } from 'node:fs/promises';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { afterEach, beforeEach, describe, expect, it } from 'vitest';
import { VirtualClock } from '../../src/clock.ts';
import { silentLogger } from '../../src/log.ts';
import { createIngestor } from '../../src/pipeline/ingest.ts';
import type { InboundEvent, Store } from '../../src/store/contract.ts';
import { openStore } from '../../src/store/open.ts';
import { TEXT_PER_TURN } from '../../src/turns.ts';
import { testRouter, visitorSays } from './harness.ts';

/**
 * Large messages never share a synchronous stretch: SQLite writes run on the
 * event loop, so a batch of megabyte texts written or routed in one
 * transaction would hold every other request (a health check, a webhook) for
 * its whole length. Each is written and routed on its own, with a turn of the
 * event loop between.
 */
let dir: string;
let store: Store;
let clock: VirtualClock;
/** What happened, in order: store calls and other work let in between. */
let steps: string[];

beforeEach(async () => {
  dir = await mkdtemp(join(tmpdir(), 'tp-large-'));
  store = await openStore({ dataDir: dir, synchronous: 'normal', log: silentLogger });
  clock = new VirtualClock(Date.UTC(2026, 0, 5, 10));
  steps = [];
});
afterEach(async () => {
  await store.close();
  await rm(dir, { recursive: true, force: true });
});

const envelope = visitorSays;

/** The store, noting each call of `name` with the number of events it got, and letting other work in after it. */
function noting(name: 'insertInbound' | 'transaction', size: (args: unknown[]) => number): Store {
  return new Proxy(store, {
    get(target, prop, receiver) {
      const value = Reflect.get(target, prop, receiver);
      if (typeof value !== 'function') return value;
      if (prop !== name) return value.bind(target);
      return (...args: unknown[]) => {
        steps.push(`${name} ${size(args)}`);
        setImmediate(() => steps.push('other work'));
        return value.apply(target, args);
      };
    },
  });
}

const big = (c: string) => c.repeat(TEXT_PER_TURN * 0.6);

describe('large messages', () => {
  it('are stored one to a transaction, other work served between, while small ones are still grouped', async () => {
    const ingestor = createIngestor({
      store: noting('insertInbound', (args) => (args[0] as unknown[]).length),
      clock,
      log: silentLogger,
      onStored: () => {},
    });
    const texts = [big('a'), big('b'), 'hello', 'there', big('c')];
    await Promise.all(texts.map((t, i) => ingestor.ingest(envelope(`v${i}`, `m${i}`, t))));
    expect(steps.filter((s) => s.startsWith('insertInbound'))).toEqual([
      'insertInbound 1',
      'insertInbound 1',
      'insertInbound 2',
      'insertInbound 1',
    ]);
    // a turn of the event loop after each cut batch
    expect(steps.slice(0, 4)).toEqual(['insertInbound 1', 'other work', 'insertInbound 1', 'other work']);
  });

  it('are routed one to a transaction, other work served between, each answered', async () => {
    const stored: InboundEvent[] = [];
    const ingestor = createIngestor({ store, clock, log: silentLogger, onStored: (e) => stored.push(...e) });
    const texts = [big('a'), big('b'), big('c')];
    await Promise.all(texts.map((t, i) => ingestor.ingest(envelope(`v${i}`, `m${i}`, t))));
    const routedTexts: string[] = [];
    const router = testRouter({
      store: noting('transaction', () => 0),
      clock,
      onRouted: (routed) => {
        for (const r of routed) for (const m of r.messages) if (m.direction === 'inbound') routedTexts.push(m.text);
      },
    });
    router.offer(stored);
    await router.drain();
    expect(routedTexts.map((t) => `${t[0]} × ${t.length}`)).toEqual(texts.map((t) => `${t[0]} × ${t.length}`));
    const transactions = steps.indexOf('transaction 0');
    expect(steps.slice(transactions, transactions + 5)).toEqual([
      'transaction 0',
      'other work',
      'transaction 0',
      'other work',
      'transaction 0',
    ]);
  });
});
