import { randomUUID } from 'node:crypto';
import { describe, expect, it } from 'vitest';
import { HeldError } from '../../src/errors.ts';
import { silentLogger } from '../../src/log.ts';
import { createOutboxLimiter } from '../../src/outbox/limiter.ts';
import { mergeRateLimit } from '../../src/outbox/rate-limit.ts';

const redisUrl = 'redis://127.0.0.1:6379/0';

/** Start times (real ms) of each job run through `schedule`. */
async function startTimes(runs: Array<(fn: () => Promise<number>) => Promise<number>>): Promise<number[]> {
  const times = await Promise.all(runs.map((run) => run(async () => Date.now())));
  return times.sort((a, b) => a - b);
}

const settle = async () => {
  for (let i = 0; i < 10; i++) await new Promise<void>((r) => setImmediate(r));
};

describe('rate limit settings', () => {
  it('applies the config override on top of the adapter default', () => {
    const base = { minTimeMs: 1_000, maxConcurrent: 1, channelPerSecond: 30 };
    expect(mergeRateLimit(base, undefined)).toEqual(base);
    expect(mergeRateLimit(base, { minTimeMs: 250 })).toEqual({ ...base, minTimeMs: 250 });
    expect(mergeRateLimit(base, { channelPerSecond: null, maxConcurrent: 2 })).toEqual({
      minTimeMs: 1_000,
      maxConcurrent: 2,
      channelPerSecond: null,
    });
  });

  it('rejects values bottleneck cannot honour', () => {
    expect(() => mergeRateLimit({ minTimeMs: -1, maxConcurrent: 1 }, undefined)).toThrow(/minTimeMs/);
    expect(() => mergeRateLimit({ minTimeMs: 0, maxConcurrent: 1 }, { maxConcurrent: 0 })).toThrow(/maxConcurrent/);
    expect(() => mergeRateLimit({ minTimeMs: 0, maxConcurrent: 1, channelPerSecond: 0 }, undefined)).toThrow(
      /channelPerSecond/,
    );
  });
});

describe('outbox limiter', () => {
  const T = Date.UTC(2026, 0, 5, 9, 0, 0);

  it('spaces sends to one destination, keeps their order, and leaves other destinations free', async () => {
    const limiter = createOutboxLimiter({
      adapters: new Map([['sms', { rateLimit: { minTimeMs: 5_000, maxConcurrent: 1 } }]]),
      settings: { sms: { rateLimit: { minTimeMs: 60 } } },
      log: silentLogger,
    });
    expect(limiter.rateLimit('sms')).toEqual({ minTimeMs: 60, maxConcurrent: 1, channelPerSecond: null });
    const order: string[] = [];
    const job = (dest: string, label: string) =>
      limiter.schedule('sms', dest, async () => {
        order.push(label);
        return Date.now();
      });
    const [a1, a2, a3, b1] = await Promise.all([job('+1', 'a1'), job('+1', 'a2'), job('+1', 'a3'), job('+2', 'b1')]);
    expect(order.filter((l) => l.startsWith('a'))).toEqual(['a1', 'a2', 'a3']);
    // Planned starts are 60 ms apart; a late timer shortens only the gap after it, never the span.
    expect((a3 as number) - (a1 as number)).toBeGreaterThanOrEqual(60);
    // Another destination has its own pace: it does not queue behind +1's spacing.
    expect(order.indexOf('b1')).toBeLessThan(order.indexOf('a2'));
    expect(b1).toBeLessThan(a2 as number);
    await limiter.close();
  });

  it('caps the whole channel when channelPerSecond is set', async () => {
    const limiter = createOutboxLimiter({
      adapters: new Map([['tg', { rateLimit: { minTimeMs: 0, maxConcurrent: 1, channelPerSecond: 20 } }]]),
      log: silentLogger,
    });
    const times = await startTimes(
      ['a', 'b', 'c', 'd'].map((dest) => (fn: () => Promise<number>) => limiter.schedule('tg', dest, fn)),
    );
    // Planned 50 ms apart across destinations; a late timer shortens one gap, never the span.
    expect((times.at(-1) as number) - (times[0] as number)).toBeGreaterThanOrEqual(100);
    await limiter.close();
  });

  it('without spacing or Redis, caps sends in flight per destination and starts them in call order', async () => {
    const limiter = createOutboxLimiter({
      adapters: new Map([['chat', { rateLimit: { minTimeMs: 0, maxConcurrent: 2 } }]]),
      log: silentLogger,
    });
    const started: string[] = [];
    const finish = new Map<string, () => void>();
    const job = (dest: string, label: string) =>
      limiter.schedule('chat', dest, async () => {
        started.push(label);
        await new Promise<void>((resolve) => finish.set(label, resolve));
        return label;
      });
    const runs = [job('a', 'a1'), job('a', 'a2'), job('a', 'a3'), job('a', 'a4'), job('b', 'b1')];
    const settle = () => new Promise((r) => setImmediate(r));
    await settle();
    expect(started).toEqual(['a1', 'a2', 'b1']);
    finish.get('a2')?.();
    await settle();
    expect(started).toEqual(['a1', 'a2', 'b1', 'a3']);
    finish.get('a1')?.();
    await settle();
    expect(started).toEqual(['a1', 'a2', 'b1', 'a3', 'a4']);
    for (const label of ['a3', 'a4', 'b1']) finish.get(label)?.();
    expect(await Promise.all(runs)).toEqual(['a1', 'a2', 'a3', 'a4', 'b1']);
    // A failing send frees its slot like any other.
    await expect(limiter.schedule('chat', 'a', async () => Promise.reject(new Error('down')))).rejects.toThrow('down');
    expect(await limiter.schedule('chat', 'a', async () => 'after')).toBe('after');
    await limiter.close();
  });

  it('holds a destination until the given instant, by the caller’s clock', async () => {
    const limiter = createOutboxLimiter({ adapters: new Map(), log: silentLogger });
    const now = T;
    const until = now + 30_000;
    await limiter.holdOff('sms', '+1', until, now);
    await limiter.holdOff('sms', '+1', until - 10_000, now); // a shorter wait never shortens a hold
    expect(await limiter.heldUntil('sms', '+1', now + 29_999)).toBe(until);
    expect(await limiter.heldUntil('sms', '+2', now)).toBeNull();
    expect(await limiter.heldUntil('sms', '+1', now + 30_000)).toBeNull();
    await limiter.close();
  });

  it('turns away the sends waiting for a held destination at once, and the channel’s with an account-wide hold', async () => {
    const limiter = createOutboxLimiter({
      adapters: new Map([['sms', { rateLimit: { minTimeMs: 200, maxConcurrent: 1 } }]]),
      log: silentLogger,
      clock: { now: () => T, after: () => () => {} },
    });
    const outcome = new Map<string, string>();
    let release = () => {};
    let began = () => {};
    const running = new Promise<void>((r) => {
      began = r;
    });
    const first = limiter.schedule('sms', '+1', () => {
      began();
      return new Promise<string>((r) => {
        release = () => r('sent');
      });
    });
    const job = (dest: string, label: string) =>
      limiter
        .schedule('sms', dest, async () => 'sent')
        .then(
          (v) => outcome.set(label, v),
          (e: unknown) => outcome.set(label, e instanceof HeldError ? `held until ${e.until - T}` : String(e)),
        );
    const waiting = [job('+1', 'a2'), job('+1', 'a3')];
    await running;
    await limiter.holdOff('sms', '+1', T + 5_000, T);
    await settle();
    // Turned away without waiting for their turn (200 ms apart): no timer has run.
    expect(Object.fromEntries(outcome)).toEqual({ a2: 'held until 5000', a3: 'held until 5000' });
    release();
    expect(await first).toBe('sent');
    await Promise.all(waiting);

    // An account-wide hold stops a destination the provider never named.
    await limiter.holdOff('sms', '+1', T + 8_000, T, 'account');
    await job('+2', 'b1');
    expect(outcome.get('b1')).toBe('held until 8000');
    expect(await limiter.heldUntil('sms', '+3', T)).toBe(T + 8_000);
    await limiter.close();
  });

  it('turns away at once the sends waiting for any destination when a hold is account-wide', async () => {
    const limiter = createOutboxLimiter({
      adapters: new Map([['sms', { rateLimit: { minTimeMs: 0, maxConcurrent: 1 } }]]),
      log: silentLogger,
      clock: { now: () => T, after: () => () => {} },
    });
    let release = () => {};
    let began = () => {};
    const running = new Promise<void>((r) => {
      began = r;
    });
    const first = limiter.schedule('sms', '+1', () => {
      began();
      return new Promise<string>((r) => {
        release = () => r('sent');
      });
    });
    let waiting = 'waiting';
    const second = limiter
      .schedule('sms', '+1', async () => 'sent')
      .then(
        (v) => {
          waiting = v;
        },
        (e: unknown) => {
          waiting = e instanceof HeldError ? `held until ${e.until - T}` : String(e);
        },
      );
    await running;
    // The provider names another number, but the limit is the account's.
    await limiter.holdOff('sms', '+9', T + 3_000, T, 'account');
    await settle();
    expect(waiting).toBe('held until 3000');
    release();
    expect(await first).toBe('sent');
    await second;
    await limiter.close();
  });

  it('is ready at once without Redis', async () => {
    const limiter = createOutboxLimiter({ adapters: new Map(), log: silentLogger });
    await expect(limiter.ready()).resolves.toBeUndefined();
    await limiter.close();
  });

  it('with Redis, two instances sharing a destination never exceed its rate together', async () => {
    const prefix = `test-${randomUUID()}`;
    const make = () =>
      createOutboxLimiter({
        adapters: new Map([['sms', { rateLimit: { minTimeMs: 150, maxConcurrent: 1 } }]]),
        log: silentLogger,
        redisUrl,
        prefix,
      });
    const one = make();
    const two = make();
    try {
      const runs = [one, two, one, two, one, two].map(
        (l) => (fn: () => Promise<number>) => l.schedule('sms', '+15550001', fn),
      );
      const times = await startTimes(runs);
      // Each instance alone would start its three jobs 150 ms apart (a span of 300 ms); together all six
      // are planned 150 ms apart. A late timer shortens the gap after it, never the span: allow one interval.
      expect((times.at(-1) as number) - (times[0] as number)).toBeGreaterThanOrEqual(4 * 150);

      const now = T;
      await one.holdOff('sms', '+15550001', now + 60_000, now);
      expect(await two.heldUntil('sms', '+15550001', now)).toBe(now + 60_000);
    } finally {
      await one.close();
      await two.close();
    }
  });
  it('with Redis, two deployments with their own key prefix share one Redis without sharing holds', async () => {
    const make = (prefix: string) =>
      createOutboxLimiter({
        adapters: new Map([['sms', { rateLimit: { minTimeMs: 150, maxConcurrent: 1 } }]]),
        log: silentLogger,
        redisUrl,
        prefix,
      });
    const shop = make(`shop-${randomUUID()}`);
    const other = make(`other-${randomUUID()}`);
    try {
      await shop.holdOff('sms', '+15550002', T + 60_000, T);
      expect(await shop.heldUntil('sms', '+15550002', T)).toBe(T + 60_000);
      expect(await other.heldUntil('sms', '+15550002', T)).toBeNull();
    } finally {
      await shop.close();
      await other.close();
    }
  });

  it('with Redis, an account-wide hold learnt from another instance stops every destination there, a destination hold only its own', async () => {
    const prefix = `test-${randomUUID()}`;
    const make = () =>
      createOutboxLimiter({
        adapters: new Map([['sms', { rateLimit: { minTimeMs: 10, maxConcurrent: 1 } }]]),
        log: silentLogger,
        clock: { now: () => T, after: () => () => {} },
        redisUrl,
        prefix,
      });
    const one = make();
    const two = make();
    try {
      await one.holdOff('sms', '+1', T + 4_000, T);
      expect(await two.heldUntil('sms', '+1', T)).toBe(T + 4_000);
      expect(await two.heldUntil('sms', '+2', T)).toBeNull();
      // The hold is over at its instant, not a millisecond later.
      expect(await two.heldUntil('sms', '+1', T + 4_000)).toBeNull();

      await one.holdOff('sms', '+1', T + 9_000, T, 'account');
      expect(await two.heldUntil('sms', '+3', T)).toBe(T + 9_000);
      // Learnt once, the account's hold turns away the other instance's sends to any destination without asking Redis again.
      let ran = false;
      const sent = two.schedule('sms', '+4', async () => {
        ran = true;
      });
      await expect(sent).rejects.toMatchObject({ until: T + 9_000 });
      expect(ran).toBe(false);
    } finally {
      await one.close();
      await two.close();
    }
  });

  it('does not run a send’s preparation when its destination is held before its turn', async () => {
    const limiter = createOutboxLimiter({
      adapters: new Map([['sms', { rateLimit: { minTimeMs: 0, maxConcurrent: 1 } }]]),
      log: silentLogger,
      clock: { now: () => T, after: () => () => {} },
    });
    await limiter.holdOff('sms', '+1', T + 1_000, T);
    let prepared = false;
    const job = limiter.schedule(
      'sms',
      '+1',
      async () => 'sent',
      async () => {
        prepared = true;
      },
    );
    await expect(job).rejects.toBeInstanceOf(HeldError);
    expect(prepared).toBe(false);
    await limiter.close();
  });

  it('gives a channel no adapter declares one send at a time, and reads settings that name other channels only', async () => {
    const limiter = createOutboxLimiter({
      adapters: new Map([['sms', { rateLimit: { minTimeMs: 100, maxConcurrent: 2 } }]]),
      settings: { email: { rateLimit: { minTimeMs: 5 } } },
      log: silentLogger,
    });
    expect(limiter.rateLimit('sms')).toMatchObject({ minTimeMs: 100, maxConcurrent: 2 });
    expect(limiter.rateLimit('nowhere')).toMatchObject({ minTimeMs: 0, maxConcurrent: 1 });
    await limiter.close();
  });

  it('refuses a rate bottleneck cannot honour when it is created, not at the first send', () => {
    expect(() =>
      createOutboxLimiter({
        adapters: new Map([['sms', { rateLimit: { minTimeMs: 100, maxConcurrent: 1 } }]]),
        settings: { sms: { rateLimit: { maxConcurrent: 0 } } },
        log: silentLogger,
      }),
    ).toThrow(/maxConcurrent/);
  });
});
