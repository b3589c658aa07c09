import { describe, expect, it } from 'vitest';
import { backoffDelay, CancellableWait, reconnectSettings } from '../../../adapters/shared/backoff.ts';
import { VirtualClock } from '../../../src/clock.ts';

describe('shared back-off', () => {
  it('defaults the reconnect bounds and refuses unknown keys', () => {
    const schema = reconnectSettings('between attempts');
    expect(schema.parse(undefined)).toEqual({ minDelayMs: 1_000, maxDelayMs: 60_000 });
    expect(schema.safeParse({ minDelayMs: 5, extra: 1 }).success).toBe(false);
  });

  it('doubles from the minimum with full jitter (anywhere up to the ceiling), and stops at the maximum', () => {
    const bounds = { minDelayMs: 1_000, maxDelayMs: 10_000 };
    for (const [failures, full] of [
      [1, 1_000],
      [3, 4_000],
      [10, 10_000],
      [500, 10_000],
    ] as const) {
      const d = backoffDelay(bounds, failures);
      expect(d).toBeGreaterThanOrEqual(0);
      expect(d).toBeLessThanOrEqual(full);
    }
  });

  it('waits on the clock, and a cancel ends the wait at once', async () => {
    const clock = new VirtualClock(0);
    const waits = new CancellableWait(clock);
    let done = false;
    const first = waits.wait(1_000).then(() => {
      done = true;
    });
    clock.advance(999);
    await Promise.resolve();
    expect(done).toBe(false);
    clock.advance(1);
    await first;
    expect(done).toBe(true);

    const second = waits.wait(60_000);
    waits.cancel();
    await second;
    expect(clock.now()).toBe(1_000);
  });
});
