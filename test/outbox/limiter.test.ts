import { randomUUID } from 'node:crypto';
import { describe, expect, it } from 'vitest';
import { VirtualClock } from '../../src/clock.ts';
import { silentLogger } from '../../src/log.ts';
import { createOutboxLimiter } from '../../src/outbox/limiter.ts';
import { mergeRateLimit } from '../../src/outbox/rate-limit.ts';

const redisUrl = 'redis://127.0.0.1:6379/0';

/** Start times (real ms) of each job run through `schedule`. */
async function startTimes(
  runs: Array<(fn: () => Promise<number>) => Promise<number>>,
): Promise<number[]> {
  const times = await Promise.all(runs.map((run) => run(async () => Date.now())));
  return times.sort((a, b) => a - b);
}

const gaps = (times: number[]) => times.slice(1).map((t, i) => t - (times[i] as number));

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
  const clock = new VirtualClock();

  it('spaces sends to one destination, keeps their order, and leaves other destinations free', async () => {
    const limiter = createOutboxLimiter({
      adapters: new Map([['sms', { rateLimit: { minTimeMs: 5_000, maxConcurrent: 1 } }]]),
      channels: { sms: { rateLimit: { minTimeMs: 60 } } },
      clock,
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
    for (const gap of gaps([a1, a2, a3] as number[])) expect(gap).toBeGreaterThanOrEqual(50);
    expect((b1 as number) - (a1 as number)).toBeLessThan(50);
    await limiter.close();
  });

  it('caps the whole channel when channelPerSecond is set', async () => {
    const limiter = createOutboxLimiter({
      adapters: new Map([['tg', { rateLimit: { minTimeMs: 0, maxConcurrent: 1, channelPerSecond: 20 } }]]),
      clock,
      log: silentLogger,
    });
    const times = await startTimes(
      ['a', 'b', 'c', 'd'].map((dest) => (fn: () => Promise<number>) => limiter.schedule('tg', dest, fn)),
    );
    for (const gap of gaps(times)) expect(gap).toBeGreaterThanOrEqual(40);
    await limiter.close();
  });

  it('holds a destination until the given instant of the clock', async () => {
    const limiter = createOutboxLimiter({ adapters: new Map(), clock, log: silentLogger });
    const until = clock.now() + 30_000;
    await limiter.holdOff('sms', '+1', until);
    await limiter.holdOff('sms', '+1', until - 10_000); // a shorter wait never shortens a hold
    expect(await limiter.heldUntil('sms', '+1')).toBe(until);
    expect(await limiter.heldUntil('sms', '+2')).toBeNull();
    clock.advance(30_000);
    expect(await limiter.heldUntil('sms', '+1')).toBeNull();
    await limiter.close();
  });

  it('with Redis, two instances sharing a destination never exceed its rate together', async () => {
    const prefix = `test-${randomUUID()}`;
    const make = () =>
      createOutboxLimiter({
        adapters: new Map([['sms', { rateLimit: { minTimeMs: 150, maxConcurrent: 1 } }]]),
        clock,
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
      // Each instance alone would start its three jobs 150 ms apart; together all six must be.
      for (const gap of gaps(times)) expect(gap).toBeGreaterThanOrEqual(130);

      const until = clock.now() + 60_000;
      await one.holdOff('sms', '+15550001', until);
      expect(await two.heldUntil('sms', '+15550001')).toBe(until);
    } finally {
      await one.close();
      await two.close();
    }
  });
});
