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

  it('counts a send from when its request was written, when that was after it was admitted', async () => {
    const time = virtualTime();
    const window = createSendWindow({ perWindow: 2, windowMs: 1000, now: time.now, sleep: time.sleep });
    const first = await window.admit('a');
    // Admitted at 0, but its request went out 30 ms later (a connection opened, the event loop held up).
    time.stall(30);
    first.written();
    first.settled();
    time.stall(170);
    const second = await window.admit('a');
    second.written();
    second.written();
    second.settled();
    await window.admit('a');
    // A window after the first request really went out, not after its admission.
    expect(time.now()).toBe(1030);
  });

  it('costs a short delay before the request no pace, and a long one only what it exceeds', async () => {
    const time = virtualTime();
    const window = createSendWindow({
      perWindow: 1,
      windowMs: 1040,
      writtenWindowMs: 1020,
      now: time.now,
      sleep: time.sleep,
    });
    const at: number[] = [];
    for (const lag of [10, 60, 0]) {
      const a = await window.admit('a');
      at.push(time.now());
      time.stall(lag);
      a.written();
      a.settled();
    }
    // 10 ms to write: a window of admissions later; 60 ms: a window of writes after it went out.
    expect(at).toEqual([0, 1040, 1040 + 60 + 1020]);
  });

  it('lets a settled send a window back go, whatever was admitted after it', async () => {
    const time = virtualTime();
    const window = createSendWindow({ perWindow: 1, windowMs: 1000, now: time.now, sleep: time.sleep });
    for (let i = 0; i < 5; i++) {
      const a = await window.admit('a');
      // Settled without a request (refused before it): a late word of one cannot move it any more.
      time.stall(10);
      a.settled();
      time.stall(10);
      a.written();
    }
    expect(time.now()).toBe(4 * 1000 + 20);
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
