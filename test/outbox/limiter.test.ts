import { randomUUID } from 'node:crypto';
import { describe, expect, it } from 'vitest';
import { silentLogger } from '../../src/log.ts';
import { createOutboxLimiter } from '../../src/outbox/limiter.ts';
import { mergeRateLimit } from '../../src/outbox/rate-limit.ts';

const redisUrl = 'redis://127.0.0.1:6379/0';

/** Start times (real ms) of each job run through `schedule`. */
async function startTimes(runs: Array<(fn: () => Promise<number>) => Promise<number>>): Promise<number[]> {
  const times = await Promise.all(runs.map((run) => run(async () => Date.now())));
  return times.sort((a, b) => a - b);
}

/**
 * First to last start. A job that starts late (event-loop lag on a busy
 * machine) narrows the gap after it, so single gaps are not compared: the
 * span only loses the first job's lag, for which the checks leave 20 ms.
 */
const span = (times: number[]) => (times[times.length - 1] as number) - (times[0] as number);

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
    expect(span([a1, a2, a3] as number[])).toBeGreaterThanOrEqual(2 * 60 - 20);
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
    expect(span(times)).toBeGreaterThanOrEqual(3 * 50 - 20);
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
      // Each instance alone would start its three jobs 150 ms apart, all six within 300 ms; shared, they take 750 ms.
      expect(span(times)).toBeGreaterThanOrEqual(5 * 150 - 20);

      const now = T;
      await one.holdOff('sms', '+15550001', now + 60_000, now);
      expect(await two.heldUntil('sms', '+15550001', now)).toBe(now + 60_000);
    } finally {
      await one.close();
      await two.close();
    }
  });
});
