import { afterEach, beforeEach, describe, expect, it } from 'vitest';
import { VirtualClock } from '../../src/clock.ts';
import type { Routed } from '../../src/decide/route-event.ts';
import { silentLogger } from '../../src/log.ts';
import type { Envelope } from '../../src/model/types.ts';
import { createOutboxLimiter } from '../../src/outbox/limiter.ts';
import { createOutboxWorker } from '../../src/outbox/worker.ts';
import { createIngestor } from '../../src/pipeline/ingest.ts';
import { createRouter } from '../../src/pipeline/router.ts';
import type { AdoptedOutbound, InboundEvent, Store } from '../../src/store/contract.ts';
import { engineRouteDeps } from '../../src/testkit/engine-deps.ts';
import { conversationOn, queueMessage, settle, T0, tempStore } from '../outbox/fixture.ts';
import { FakeAdapter } from '../support/fake-adapter.ts';
import { holdDurability } from '../support/held-durability.ts';
import { testSettings } from '../support/settings.ts';

/**
 * "Acknowledge only what is stored": nothing leaves the process on a commit
 * that might not survive a crash. With the store's `durable()` held, the
 * ingestor does not acknowledge, the router does not pass its decisions on,
 * and the outbox does not send what it claimed; once it resolves, they do.
 */
let store: Store;
let cleanup: () => Promise<void>;
let clock: VirtualClock;

beforeEach(async () => {
  ({ store, cleanup } = await tempStore('durability'));
  clock = new VirtualClock(T0);
});

afterEach(() => cleanup());

function envelope(providerId: string, text = 'hello'): Envelope {
  return {
    channel: 'webchat',
    providerId,
    touchpoint: { channel: 'webchat', kind: 'webchat', visibility: 'private' },
    threadKey: 'webchat:ann',
    from: { kind: 'webchat', value: 'ann', name: 'Ann' },
    text,
  };
}

/** Whether a promise has settled, looked at without waiting for it. */
function watch<T>(p: Promise<T>): { readonly settled: boolean; readonly value: Promise<T> } {
  let settled = false;
  const value = p.finally(() => {
    settled = true;
  });
  return {
    get settled() {
      return settled;
    },
    value,
  };
}

describe('waiting for durable commits', () => {
  it('ingest stores the event but does not acknowledge it until the commit is durable', async () => {
    const held = holdDurability(store);
    const stored: InboundEvent[] = [];
    const ingestor = createIngestor({ store, clock, log: silentLogger, onStored: (e) => stored.push(...e) });
    const ack = watch(ingestor.ingest(envelope('m1')));
    await settle();
    expect(await store.countInbound('pending')).toBe(1);
    expect(held.calls).toBeGreaterThan(0);
    expect(ack.settled).toBe(false);

    held.release();
    expect(await ack.value).toMatchObject({ stored: true, duplicate: false });
    expect(stored.map((e) => e.providerId)).toEqual(['m1']);
  });

  it('the router commits its decisions but hands none on until they are durable', async () => {
    const settings = testSettings();
    const handed: Array<{ routed: Routed[]; adopted: AdoptedOutbound[] }> = [];
    const router = createRouter({
      store,
      clock,
      log: silentLogger,
      owner: 'router-1',
      leaseMs: 30_000,
      batchSize: 10,
      workers: 1,
      maxAttempts: 3,
      batchTransactions: true,
      adoptOutbound: { owner: 'outbox-1', leaseMs: 60_000 },
      deps: engineRouteDeps(settings),
      onRouted: (routed, adopted) => handed.push({ routed, adopted }),
    });
    await store.insertInbound([{ ...envelope('m1'), envelope: envelope('m1'), receivedAt: T0 }]);
    const held = holdDurability(store);
    const drained = watch(router.drain());
    await settle(50);
    // The reply is committed (and leased to the outbox), but not passed to it.
    expect(await store.countInbound('pending')).toBe(0);
    expect(await store.countOutbox('pending')).toBe(1);
    expect(held.calls).toBeGreaterThan(0);
    expect(handed).toEqual([]);
    expect(drained.settled).toBe(false);

    held.release();
    await drained.value;
    expect(handed).toHaveLength(1);
    expect(handed[0]?.adopted.map((a) => a.message.text)).toEqual(['Hello Ann, welcome to Test Shop!']);
  });

  it('the outbox claims a due row but does not send it until the claim is durable', async () => {
    const fake = new FakeAdapter({ clock });
    const adapters = new Map([['fake', fake]]);
    const limiter = createOutboxLimiter({ adapters, log: silentLogger });
    const worker = createOutboxWorker({
      store,
      adapters,
      limiter,
      clock,
      log: silentLogger,
      owner: 'worker-1',
      leaseMs: 60_000,
      maxAttempts: 3,
      backoff: { baseMs: 1_000, maxMs: 10_000 },
      concurrency: 4,
    });
    const conversation = await conversationOn(store, 'fake', '+15550100');
    await queueMessage(store, conversation, { text: 'Your order shipped' });
    const held = holdDurability(store);
    const drained = watch(worker.drain());
    await settle(50);
    // Leased by the claim (due again only when the lease runs out), and not sent.
    expect(await store.nextDueAt()).toBe(T0 + 60_000);
    expect(fake.attempts).toEqual([]);
    expect(drained.settled).toBe(false);

    held.release();
    await drained.value;
    expect(fake.sent.map((m) => m.text)).toEqual(['Your order shipped']);
    await limiter.close();
  });
});
