import { describe, expect, it, vi } from 'vitest';
import { createSendWindow } from '../../src/outbox/send-window.ts';

/** Time that moves only when a sleeper asks it to: each sleep jumps to its end (sleeps run one at a time here). */
function virtualTime() {
  let t = 0;
  return {
    now: () => t,
    sleep: async (ms: number) => {
      t += ms;
    },
    stall: (ms: number) => {
      t += ms;
    },
  };
}

/** The most starts within any `windowMs` (half-open, as a provider counting a second would see them). */
function busiest(starts: number[], windowMs: number): number {
  let most = 0;
  for (let i = 0, j = 0; i < starts.length; i++) {
    while ((starts[i] as number) - (starts[j] as number) >= windowMs) j++;
    most = Math.max(most, i - j + 1);
  }
  return most;
}

describe('the send window of a destination', () => {
  it('keeps any second to its count when one send starts late and the ones planned after it do not', async () => {
    const time = virtualTime();
    const window = createSendWindow({ perWindow: 5, windowMs: 1000, now: time.now, sleep: time.sleep });
    const starts: number[] = [];
    // Planned every 200 ms (5 a second), as bottleneck spaces them; the event loop stalls 60 ms before send 1.
    for (let i = 0; i < 20; i++) {
      const planned = i * 200 + (i === 1 ? 60 : 0);
      if (time.now() < planned) time.stall(planned - time.now());
      await window.admit('+14155550100');
      starts.push(time.now());
    }
    expect(busiest(starts, 1000)).toBeLessThanOrEqual(5);
    // Only the send a window after the late one moves; the rest keep their plan.
    expect(starts[6]).toBe(1260);
    expect(starts[7]).toBe(1400);
  });

  it('lets sends to other destinations through, and one destination’s calls in call order', async () => {
    const time = virtualTime();
    const window = createSendWindow({ perWindow: 2, windowMs: 1000, now: time.now, sleep: time.sleep });
    const order: string[] = [];
    await Promise.all(
      ['a1', 'a2', 'a3', 'a4', 'b1'].map((name) =>
        window.admit(name.startsWith('a') ? 'a' : 'b').then(() => order.push(`${name}@${time.now()}`)),
      ),
    );
    expect(order.filter((o) => o.startsWith('a'))).toEqual(['a1@0', 'a2@0', 'a3@1000', 'a4@1000']);
    expect(order).toContain('b1@0');
  });

  it('refuses a window that admits nothing, and takes one that admits a single send', async () => {
    expect(() => createSendWindow({ perWindow: 0, windowMs: 1000 })).toThrow(/sends per window must be 1 or more/);
    const time = virtualTime();
    const one = createSendWindow({ perWindow: 1, windowMs: 1000, now: time.now, sleep: time.sleep });
    await one.admit('a');
    await one.admit('a');
    expect(time.now()).toBe(1000);
  });

  it('keeps the process clock and timers when given none of its own', async () => {
    vi.useFakeTimers({ toFake: ['setTimeout', 'performance'] });
    try {
      const window = createSendWindow({ perWindow: 1, windowMs: 60_000 });
      const order: number[] = [];
      const both = Promise.all([1, 2].map((n) => window.admit('a').then(() => order.push(n))));
      await vi.advanceTimersByTimeAsync(59_999);
      expect(order).toEqual([1]);
      await vi.advanceTimersByTimeAsync(1);
      await both;
      expect(order).toEqual([1, 2]);
    } finally {
      vi.useRealTimers();
    }
  });
});
