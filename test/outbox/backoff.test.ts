import { describe, expect, it } from 'vitest';
import { backoffFromSettings, createBackoff } from '../../src/retry/backoff.ts';

describe('backoff', () => {
  it('doubles the ceiling per attempt and draws uniformly below it (full jitter)', () => {
    const top = createBackoff({ baseMs: 1_000, maxMs: 60_000, random: () => 0.999_999 });
    expect([1, 2, 3, 4].map(top)).toEqual([999, 1_999, 3_999, 7_999]);
    const bottom = createBackoff({ baseMs: 1_000, maxMs: 60_000, random: () => 0 });
    expect([1, 5, 9].map(bottom)).toEqual([0, 0, 0]);
  });

  it('is capped at the maximum, even for huge attempt numbers', () => {
    const b = createBackoff({ baseMs: 2_000, maxMs: 10_000, random: () => 0.5 });
    expect(b(3)).toBe(4_000);
    expect(b(4)).toBe(5_000);
    expect(b(5_000)).toBe(5_000);
  });

  it('stays within bounds with the real random source', () => {
    const b = createBackoff({ baseMs: 100, maxMs: 1_000 });
    for (let attempt = 1; attempt < 12; attempt++) {
      const d = b(attempt);
      expect(d).toBeGreaterThanOrEqual(0);
      expect(d).toBeLessThan(Math.min(1_000, 100 * 2 ** (attempt - 1)));
    }
  });

  it('reads base and max from the router settings', () => {
    const b = backoffFromSettings({ backoffBase: '2s', backoffMax: '10m' }, () => 0.5);
    expect(b(1)).toBe(1_000);
    expect(b(30)).toBe(300_000);
  });

  it('rejects a base or max that makes no sense', () => {
    expect(() => createBackoff({ baseMs: 0, maxMs: 10 })).toThrow(/base/);
    expect(() => createBackoff({ baseMs: 10, maxMs: 5 })).toThrow(/max/);
    expect(() => backoffFromSettings({ backoffBase: 'soon', backoffMax: '1m' })).toThrow(/not a duration/);
  });
});
