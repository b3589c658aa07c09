import { describe, expect, it } from 'vitest';
import { VirtualClock } from '../src/clock.ts';

describe('VirtualClock', () => {
  it('fires callbacks in due order as time advances, at their due time', () => {
    const clock = new VirtualClock(1_000);
    const fired: Array<[string, number]> = [];
    clock.after(500, () => fired.push(['b', clock.now()]));
    clock.after(100, () => fired.push(['a', clock.now()]));
    const cancel = clock.after(200, () => fired.push(['cancelled', clock.now()]));
    cancel();
    clock.advance(300);
    expect(fired).toEqual([['a', 1_100]]);
    clock.advance(1_000);
    expect(fired).toEqual([
      ['a', 1_100],
      ['b', 1_500],
    ]);
    expect(clock.now()).toBe(2_300);
  });

  it('fires callbacks scheduled by callbacks within the same advance', () => {
    const clock = new VirtualClock(0);
    const seen: number[] = [];
    clock.after(10, () => clock.after(10, () => seen.push(clock.now())));
    clock.advance(100);
    expect(seen).toEqual([20]);
  });
});
