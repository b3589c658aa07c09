import { randomUUID } from 'node:crypto';
import { afterEach, beforeEach, describe, expect, it } from 'vitest';
import type { RateLimit } from '../../src/channel/contract.ts';
import { VirtualClock } from '../../src/clock.ts';
import { type HoldScope, rateLimited } from '../../src/errors.ts';
import { silentLogger } from '../../src/log.ts';
import { createOutboxLimiter, type OutboxLimiter } from '../../src/outbox/limiter.ts';
import type { OutboxWorker } from '../../src/outbox/worker.ts';
import type { Store } from '../../src/store/contract.ts';
import { FakeAdapter, type FakeAttempt } from '../support/fake-adapter.ts';
import { conversationOn, queueMessage, T0, tempStore, testWorker } from './fixture.ts';

/**
 * A provider's Retry-After holds every send to the destination (or, for an
 * account-wide limit, to the whole channel) that is already waiting in the
 * limiter, not only the rows claimed later: counted at the fake provider, on
 * the virtual clock, nothing goes out inside the window, and afterwards the
 * rows go at the limiter's pace.
 */
const RETRY_AFTER_MS = 5_000;
const DEST = '+15550100';

let clock: VirtualClock;
let store: Store;
let cleanup: () => Promise<void>;
const limiters: OutboxLimiter[] = [];

beforeEach(async () => {
  clock = new VirtualClock(T0);
  ({ store, cleanup } = await tempStore('hold'));
});

afterEach(async () => {
  for (const l of limiters.splice(0)) await l.close();
  await cleanup();
});

function setup(rate: RateLimit, o: { redis?: { prefix: string } } = {}) {
  const fake = new FakeAdapter({ clock, rateLimit: rate });
  const adapters = new Map([['fake', fake]]);
  const limiter = createOutboxLimiter({
    adapters,
    log: silentLogger,
    clock,
    ...(o.redis ? { redisUrl: 'redis://127.0.0.1:6379/0', prefix: o.redis.prefix } : {}),
  });
  limiters.push(limiter);
  return { fake, adapters, limiter };
}

/**
 * The store, but recording a send's start costs no time: the next queued send
 * then reaches the provider within the same few microtasks as the 429's answer.
 */
function instantStarts(s: Store): Store {
  return new Proxy(s, {
    get(target, key) {
      if (key === 'markAttempted') return async () => {};
      const v = Reflect.get(target, key) as unknown;
      return typeof v === 'function' ? v.bind(target) : v;
    },
  });
}

function worker(
  adapters: Map<string, FakeAdapter>,
  limiter: OutboxLimiter,
  owner = 'w1',
  concurrency = 64,
  through: Store = store,
): OutboxWorker {
  return testWorker({ store: through, adapters, limiter, clock, owner, concurrency });
}

/** `n` conversations, one reply each, all to `destination`: they wait for one another in the limiter. */
async function queueMany(n: number, destination = DEST): Promise<void> {
  for (let i = 0; i < n; i++) {
    const c = await conversationOn(store, 'fake');
    await queueMessage(store, c, { text: `${destination} #${i}`, destination });
  }
}

/** Sends that started inside [from, until) on the virtual clock. */
const inside = (attempts: FakeAttempt[], from: number, until: number) =>
  attempts.filter((a) => a.at >= from && a.at < until);

/**
 * Sends at the limiter's pace, not in a burst: bottleneck spaces the planned
 * starts `minTimeMs` apart and a late timer only delays one, so the real
 * span of n sends is at least (n − 1) · minTimeMs less the first one's
 * lateness. The slack of a few intervals keeps a loaded machine from failing it.
 */
function expectPaced(attempts: FakeAttempt[], minTimeMs: number): void {
  const times = attempts.map((a) => a.realAt);
  const span = (times.at(-1) ?? 0) - (times[0] ?? 0);
  expect(span).toBeGreaterThanOrEqual((times.length - 5) * minTimeMs);
}

async function sendAllAfterTheHold(drain: () => Promise<void>, fake: FakeAttempt[], total: number) {
  clock.set(T0 + RETRY_AFTER_MS);
  for (let i = 0; i < 5 && fake.filter((a) => a.outcome === 'sent').length < total; i++) {
    await drain();
    clock.advance(total);
  }
}

function failFirstWith429(fake: FakeAdapter, scope: HoldScope = 'destination') {
  fake.failNext(rateLimited('429 Too Many Requests', RETRY_AFTER_MS, 429, scope));
}

describe('a Retry-After holds the sends already queued for the destination', () => {
  it.each([1, 3])(
    'with a pace to keep (bottleneck, %i at once): nothing inside the window, then one send per minTime',
    async (maxConcurrent) => {
      const { fake, adapters, limiter } = setup({ minTimeMs: 25, maxConcurrent });
      await queueMany(30);
      failFirstWith429(fake);
      const w = worker(adapters, limiter);
      await w.drain();
      expect(fake.attempts.map((a) => a.outcome)).toEqual(['failed']);
      clock.advance(RETRY_AFTER_MS - 1);
      await w.drain();
      expect(fake.attempts).toHaveLength(1);

      await sendAllAfterTheHold(() => w.drain(), fake.attempts, 30);
      expect(inside(fake.attempts, T0, T0 + RETRY_AFTER_MS)).toHaveLength(1);
      expect(new Set(fake.sent.map((m) => m.id)).size).toBe(30);
      expect(fake.sent).toHaveLength(30);
      expectPaced(fake.attempts.slice(1), 25);
    },
  );

  it.each([
    ['', false],
    [', however fast the next send would start', true],
  ])(
    'without a pace (the concurrency gate): the waiting sends are turned away until the hold ends%s',
    async (_, instant) => {
      const { fake, adapters, limiter } = setup({ minTimeMs: 0, maxConcurrent: 1 });
      await queueMany(40);
      failFirstWith429(fake);
      const w = worker(adapters, limiter, 'w1', 64, instant ? instantStarts(store) : store);
      await w.drain();
      clock.advance(RETRY_AFTER_MS - 1);
      await w.drain();
      expect(fake.attempts).toHaveLength(1);

      await sendAllAfterTheHold(() => w.drain(), fake.attempts, 40);
      expect(inside(fake.attempts, T0, T0 + RETRY_AFTER_MS)).toHaveLength(1);
      expect(fake.sent).toHaveLength(40);
      expect(new Set(fake.sent.map((m) => m.id)).size).toBe(40);
    },
  );

  it('an account-wide limit holds every destination of the channel', async () => {
    const { fake, adapters, limiter } = setup({ minTimeMs: 0, maxConcurrent: 1 });
    await queueMany(10, '+15550100');
    await queueMany(10, '+15550200');
    failFirstWith429(fake, 'account');
    // Which sends began before the 429 was answered cannot be helped; none may begin after it.
    let heldAt = -1;
    const watched: OutboxLimiter = {
      ...limiter,
      holdOff: (...args) => {
        heldAt = fake.attempts.length;
        return limiter.holdOff(...args);
      },
    };
    const w = worker(adapters, watched);
    await w.drain();
    clock.advance(RETRY_AFTER_MS - 1);
    await w.drain();
    expect(heldAt).toBeGreaterThan(0);
    expect(fake.attempts.slice(heldAt)).toEqual([]);
    expect(fake.attempts.length).toBeLessThanOrEqual(2);

    await sendAllAfterTheHold(() => w.drain(), fake.attempts, 20);
    expect(fake.sent).toHaveLength(20);
    expect(inside(fake.attempts.slice(heldAt), T0, T0 + RETRY_AFTER_MS)).toEqual([]);
  });

  it('a destination-wide limit leaves the channel’s other destinations alone', async () => {
    const { fake, adapters, limiter } = setup({ minTimeMs: 0, maxConcurrent: 1 });
    await queueMany(5, '+15550100');
    await queueMany(5, '+15550200');
    failFirstWith429(fake);
    const w = worker(adapters, limiter);
    await w.drain();
    const held = fake.attempts.find((a) => a.outcome === 'failed')?.message.destination;
    const other = held === '+15550100' ? '+15550200' : '+15550100';
    expect(fake.sent.filter((m) => m.destination === other)).toHaveLength(5);
    expect(fake.attempts.filter((a) => a.message.destination === held)).toHaveLength(1);
  });

  it('with Redis, holds the queues of every instance sharing the destination', async () => {
    const prefix = `hold-${randomUUID()}`;
    const one = setup({ minTimeMs: 30, maxConcurrent: 1 }, { redis: { prefix } });
    const two = setup({ minTimeMs: 30, maxConcurrent: 1 }, { redis: { prefix } });
    // One provider behind both instances: both adapters record into the first fake.
    const adapters = one.adapters;
    await queueMany(20);
    failFirstWith429(one.fake);
    const w1 = worker(adapters, one.limiter, 'w1', 10);
    const w2 = worker(adapters, two.limiter, 'w2', 10);
    const both = async () => {
      await Promise.all([w1.tick(), w2.tick()]);
    };
    await both();
    clock.advance(RETRY_AFTER_MS - 1);
    await both();
    expect(one.fake.attempts).toHaveLength(1);

    await sendAllAfterTheHold(both, one.fake.attempts, 20);
    expect(one.fake.sent).toHaveLength(20);
    expect(new Set(one.fake.sent.map((m) => m.id)).size).toBe(20);
    expect(inside(one.fake.attempts, T0, T0 + RETRY_AFTER_MS)).toHaveLength(1);
    expectPaced(one.fake.attempts.slice(1), 30);
  });
});
