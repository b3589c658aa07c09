import { afterEach, beforeEach, describe, expect, it, vi } from 'vitest';
import type { RateLimit } from '../../src/channel/contract.ts';
import { VirtualClock } from '../../src/clock.ts';
import { permanent } from '../../src/errors.ts';
import { silentLogger } from '../../src/log.ts';
import { createOutboxLimiter, type OutboxLimiter } from '../../src/outbox/limiter.ts';
import type { Store } from '../../src/store/contract.ts';
import { FakeAdapter } from '../support/fake-adapter.ts';
import { conversationOn, queueMessage, settle, T0, tempStore, testWorker } from './fixture.ts';

/** The worker's life around its sends: stopping, sleeping, lease renewal, the timing hook, vanished rows. */
let clock: VirtualClock;
let store: Store;
let cleanup: () => Promise<void>;
let fake: FakeAdapter;
let limiter: OutboxLimiter;

beforeEach(async () => {
  clock = new VirtualClock(T0);
  ({ store, cleanup } = await tempStore('outbox-life'));
  fake = new FakeAdapter({ clock });
  limiter = createOutboxLimiter({ adapters: new Map([['fake', fake]]), log: silentLogger });
});

afterEach(async () => {
  await limiter.close();
  await cleanup();
});

const worker = (over: Partial<Parameters<typeof testWorker>[0]> = {}) =>
  testWorker({ store, adapters: new Map([['fake', fake]]), limiter, clock, owner: 'worker-1', ...over });

/** A limiter whose turns come only when the test opens them, one call of `next()` per send. */
function turnstile(): { limiter: OutboxLimiter; scheduled: Promise<void>; next: () => void } {
  let turn = () => {};
  let markScheduled = () => {};
  const scheduled = new Promise<void>((r) => {
    markScheduled = r;
  });
  const gate = new Promise<void>((r) => {
    turn = r;
  });
  const rate: RateLimit = { minTimeMs: 0, maxConcurrent: 1 };
  return {
    scheduled,
    next: () => turn(),
    limiter: {
      async schedule(_channel, _destination, fn, ready) {
        await ready?.();
        markScheduled();
        await gate;
        return fn();
      },
      holdOff: async () => {},
      heldUntil: async () => null,
      rateLimit: () => rate,
      ready: async () => {},
      close: async () => {},
    },
  };
}

describe('outbox worker life', () => {
  it('accepts a concurrency of one', async () => {
    await queueMessage(store, await conversationOn(store, 'fake'));
    await worker({ concurrency: 1 }).drain();
    expect(fake.sent).toHaveLength(1);
  });

  it('once stopped, cannot be started again and claims nothing', async () => {
    const { job } = await queueMessage(store, await conversationOn(store, 'fake'));
    const w = worker();
    await w.stop();
    expect(() => w.start()).toThrow(/stopped/);
    expect(await w.tick()).toBe(0);
    // Not leased by the stopped worker: another one takes it at once.
    const taken = await store.claimOutbox({ owner: 'worker-2', now: T0, leaseMs: 60_000, limit: 10 });
    expect(taken.map((j) => j.id)).toEqual([job.id]);
    expect(fake.attempts).toEqual([]);
  });

  it('never sends, nor puts back, a row whose turn in the limiter comes after stop()', async () => {
    const gate = turnstile();
    const putBack: number[] = [];
    const { job } = await queueMessage(store, await conversationOn(store, 'fake'));
    const w = worker({ limiter: gate.limiter, onPutBack: (_c, rows) => putBack.push(rows) });
    w.start();
    await gate.scheduled;
    await w.stop();
    gate.next();
    await settle();
    expect(fake.attempts).toEqual([]);
    expect(putBack).toEqual([]);
    const taken = await store.claimOutbox({ owner: 'worker-2', now: T0, leaseMs: 60_000, limit: 10 });
    expect(taken.map((j) => j.id)).toEqual([job.id]);
  });

  it('extends the lease of a row that waited past half of it, so no other worker takes it while it is sent', async () => {
    const gate = turnstile();
    await queueMessage(store, await conversationOn(store, 'fake'));
    const sending = fake.blockNext();
    const w = worker({ limiter: gate.limiter });
    const round = w.tick();
    await gate.scheduled;
    clock.advance(30_001);
    gate.next();
    await sending.started;
    // Past the lease it was claimed with, within the one it was given before the send.
    const later = clock.now() + 30_000;
    expect(await store.claimOutbox({ owner: 'worker-2', now: later, leaseMs: 60_000, limit: 10 })).toEqual([]);
    sending.release();
    await round;
    expect(await store.countOutbox('sent')).toBe(1);
  });

  it('sleeps until the next row is due, not until the next poll', async () => {
    const w = worker({ pollMs: 60 * 60_000 });
    w.start();
    await queueMessage(store, await conversationOn(store, 'fake'), { dueAt: T0 + 5_000 });
    w.kick();
    await settle();
    expect(fake.attempts).toEqual([]);
    clock.advance(5_000);
    await vi.waitFor(() => expect(fake.attempts.map((a) => a.at)).toEqual([T0 + 5_000]));
    await w.stop();
  });

  it('looks at the store every pollMs for rows written where no one could wake it', async () => {
    const w = worker({ pollMs: 500 });
    w.start();
    await settle();
    await queueMessage(store, await conversationOn(store, 'fake'), { dueAt: T0 });
    clock.advance(500);
    await vi.waitFor(() => expect(fake.attempts.map((a) => a.at)).toEqual([T0 + 500]));
    await w.stop();
  });

  it('reports each send’s duration and whether the provider took it', async () => {
    const conversation = await conversationOn(store, 'fake');
    await queueMessage(store, conversation, { text: 'refused' });
    await queueMessage(store, conversation, { text: 'taken' });
    fake.failNext(permanent('The recipient opted out', 21610));
    const timed: Array<{ channel: string; ms: number; ok: boolean }> = [];
    await worker({ onSendTimed: (channel, ms, ok) => timed.push({ channel, ms, ok }) }).drain();
    expect(timed.map(({ channel, ok }) => ({ channel, ok }))).toEqual([
      { channel: 'fake', ok: false },
      { channel: 'fake', ok: true },
    ]);
    for (const t of timed) expect(t.ms).toBeGreaterThanOrEqual(0);
  });

  it('dead-letters a row whose message was erased before its send, with the reason', async () => {
    const { job } = await queueMessage(store, await conversationOn(store, 'fake'));
    vi.spyOn(store, 'loadOutbound').mockResolvedValue(null);
    await worker().drain();
    const [dead] = await store.listDeadLetters();
    expect(dead?.id).toBe(job.id);
    expect(dead?.lastError).toMatch(/no longer exists/);
    expect(fake.attempts).toEqual([]);
  });
});
