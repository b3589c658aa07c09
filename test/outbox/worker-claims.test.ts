import { afterEach, beforeEach, describe, expect, it, vi } from 'vitest';
import { VirtualClock } from '../../src/clock.ts';
import { silentLogger } from '../../src/log.ts';
import { createOutboxLimiter, type OutboxLimiter } from '../../src/outbox/limiter.ts';
import type { Store } from '../../src/store/contract.ts';
import { FakeAdapter } from '../support/fake-adapter.ts';
import { conversationOn, queueMessage, settle, T0, tempStore, testWorker } from './fixture.ts';

/** How the worker takes rows from the store: in batches sized by its free slots, and each row once. */
let clock: VirtualClock;
let store: Store;
let cleanup: () => Promise<void>;
let limiter: OutboxLimiter | null = null;
/** The `limit` of every claim the worker made. */
let claims: number[];

beforeEach(async () => {
  clock = new VirtualClock(T0);
  ({ store, cleanup } = await tempStore('outbox-claims'));
  claims = [];
  const claimOutbox = store.claimOutbox.bind(store);
  vi.spyOn(store, 'claimOutbox').mockImplementation((lease) => {
    claims.push(lease.limit ?? 0);
    return claimOutbox(lease);
  });
});

afterEach(async () => {
  await limiter?.close();
  limiter = null;
  await cleanup();
});

function setUp(fake: FakeAdapter) {
  limiter = createOutboxLimiter({ adapters: new Map([['fake', fake]]), log: silentLogger });
  return testWorker({ store, adapters: new Map([['fake', fake]]), limiter, clock, owner: 'worker-1' });
}

describe('outbox worker claims', () => {
  it('claims as many rows as it has free slots, then waits for a quarter of them to free before claiming again', async () => {
    const fake = new FakeAdapter({ clock });
    const blocks = Array.from({ length: 12 }, () => fake.blockNext());
    for (let i = 0; i < 12; i++) await queueMessage(store, await conversationOn(store, 'fake', `+1555001${i}`));
    const w = setUp(fake);
    w.start();
    await Promise.all(blocks.slice(0, 8).map((b) => b.started));
    expect(claims).toEqual([8]);

    // One slot free is less than a quarter of eight: no claim for a single row.
    blocks[0]?.release();
    await vi.waitFor(() => expect(fake.sent).toHaveLength(1));
    w.kick();
    await settle();
    expect(claims).toEqual([8]);

    // Two free: the worker looks at once, without waiting for the clock, and takes two.
    blocks[1]?.release();
    await vi.waitFor(() => expect(claims).toEqual([8, 2]));
    await Promise.all(blocks.slice(8, 10).map((b) => b.started));
    for (const b of blocks.slice(2)) b.release();
    await vi.waitFor(async () => expect(await store.countOutbox('sent')).toBe(12));
    expect(fake.sent).toHaveLength(12);
    await w.stop();
  });

  it('sends a row once when it claims it again while the row still waits its turn in the limiter', async () => {
    const paced = new FakeAdapter({ clock, rateLimit: { minTimeMs: 300, maxConcurrent: 1 } });
    const conversation = await conversationOn(store, 'fake', '+15550030');
    await queueMessage(store, conversation, { text: 'one' });
    await queueMessage(store, conversation, { text: 'two' });
    const first = paced.blockNext();
    const w = setUp(paced);
    w.start();
    await first.started;
    // "two" waits behind "one"; its lease runs out and this same worker claims it afresh.
    clock.advance(60_001);
    w.kick();
    await vi.waitFor(() => expect(claims.length).toBeGreaterThan(1));
    first.release();
    await vi.waitFor(async () => expect(await store.countOutbox('sent')).toBe(2));
    await settle();
    expect(paced.sent.map((m) => m.text)).toEqual(['one', 'two']);
    await w.stop();
  });
});
