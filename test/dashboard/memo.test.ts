import { describe, expect, it } from 'vitest';
import { VirtualClock } from '../../src/clock.ts';
import { createMemo } from '../../src/dashboard/memo.ts';

describe('a page memo', () => {
  it('shares one computation between requests that arrive together, and recomputes once the time is up', async () => {
    const clock = new VirtualClock(0);
    const memo = createMemo<number>(clock, 60_000);
    let runs = 0;
    const compute = async () => ++runs;
    const [a, b] = await Promise.all([memo('7', compute), memo('7', compute)]);
    expect([a.value, b.value, runs]).toEqual([1, 1, 1]);
    clock.advance(59_999);
    expect((await memo('7', compute)).value).toBe(1);
    expect((await memo('30', compute)).value).toBe(2);
    clock.advance(1);
    expect(await memo('7', compute)).toEqual({ value: 3, at: 60_000 });
  });

  it('counts the time a value is kept from when it was ready', async () => {
    const clock = new VirtualClock(0);
    const memo = createMemo<number>(clock, 60_000);
    let runs = 0;
    const slow = async () => {
      await Promise.resolve();
      clock.advance(90_000);
      return ++runs;
    };
    expect(await memo('30', slow)).toEqual({ value: 1, at: 90_000 });
    clock.advance(30_000);
    expect((await memo('30', slow)).value).toBe(1);
  });

  it('does not keep a failure', async () => {
    const memo = createMemo<number>(new VirtualClock(0), 60_000);
    await expect(memo('k', () => Promise.reject(new Error('store down')))).rejects.toThrow('store down');
    expect((await memo('k', async () => 5)).value).toBe(5);
  });

  it('holds at most `max` keys', async () => {
    const memo = createMemo<string>(new VirtualClock(0), 60_000, 2);
    let runs = 0;
    for (const k of ['a', 'b', 'c']) await memo(k, async () => `${k}${++runs}`);
    // `a` was the oldest, so it was dropped for `c`
    expect((await memo('a', async () => `a${++runs}`)).value).toBe('a4');
    expect((await memo('c', async () => `c${++runs}`)).value).toBe('c3');
  });
});
