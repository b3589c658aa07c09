import { describe, expect, it } from 'vitest';
import { VirtualClock } from '../../src/clock.ts';
import { silentLogger } from '../../src/log.ts';
import { createDueLoop } from '../../src/timers/due-loop.ts';
import { settle } from '../outbox/fixture.ts';

/** A loop over an in-memory list of due instants; records the clock time of every round. */
function harness(dueTimes: number[]) {
  const clock = new VirtualClock();
  const t0 = clock.now();
  const due = dueTimes.map((d) => t0 + d);
  const rounds: number[] = [];
  const fired: number[] = [];
  const loop = createDueLoop({
    clock,
    log: silentLogger,
    name: 'test',
    pollMs: 60_000,
    async round() {
      rounds.push(clock.now() - t0);
      const ready = due.filter((d) => d <= clock.now());
      for (const d of ready) {
        due.splice(due.indexOf(d), 1);
        fired.push(d - t0);
      }
      return { claimed: ready.length, full: false };
    },
    async nextDueAt() {
      return due.length ? Math.min(...due) : null;
    },
  });
  return { clock, loop, rounds, fired, due, t0 };
}

describe('due loop', () => {
  it('sleeps until the next due instant and wakes exactly then', async () => {
    const h = harness([5_000, 9_000]);
    h.loop.start();
    await settle();
    h.clock.advance(4_999);
    await settle();
    expect(h.fired).toEqual([]);
    h.clock.advance(1);
    await settle();
    expect(h.fired).toEqual([5_000]);
    h.clock.advance(4_000);
    await settle();
    expect(h.fired).toEqual([5_000, 9_000]);
    await h.loop.stop();
  });

  it('polls at most pollMs apart when nothing is due', async () => {
    const h = harness([]);
    h.loop.start();
    await settle();
    h.clock.advance(60_000);
    await settle();
    expect(h.rounds).toEqual([0, 60_000]);
    await h.loop.stop();
  });

  it('wakes early on kick() and on wakeAt() for an earlier instant', async () => {
    const h = harness([]);
    h.loop.start();
    await settle();
    h.due.push(h.t0 + 100);
    h.loop.wakeAt(h.t0 + 100);
    h.clock.advance(100);
    await settle();
    expect(h.fired).toEqual([100]);
    h.loop.kick();
    await settle();
    expect(h.rounds).toEqual([0, 100, 100]);
    await h.loop.stop();
  });

  it('does not spin when something is due that its rounds never take', async () => {
    const clock = new VirtualClock();
    let rounds = 0;
    const loop = createDueLoop({
      clock,
      log: silentLogger,
      name: 'test',
      idleMs: 200,
      async round() {
        rounds++;
        return { claimed: 0, full: false };
      },
      async nextDueAt() {
        return clock.now() - 1;
      },
    });
    loop.start();
    await settle(50);
    expect(rounds).toBe(1);
    clock.advance(200);
    await settle(50);
    expect(rounds).toBe(2);
    await loop.stop();
  });

  it('keeps running after a failing round', async () => {
    const clock = new VirtualClock();
    let rounds = 0;
    const loop = createDueLoop({
      clock,
      log: silentLogger,
      name: 'test',
      pollMs: 1_000,
      async round() {
        rounds++;
        throw new Error('database is locked');
      },
      async nextDueAt() {
        return null;
      },
    });
    loop.start();
    await settle();
    clock.advance(1_000);
    await settle();
    expect(rounds).toBe(2);
    await loop.stop();
  });

  it('lets I/O run between back-to-back rounds that never leave the microtask queue', async () => {
    const clock = new VirtualClock();
    let rounds = 0;
    let roundsWhenIoRan = -1;
    const loop = createDueLoop({
      clock,
      log: silentLogger,
      name: 'test',
      async round() {
        rounds++;
        return { claimed: 1, full: rounds < 1_000 };
      },
      async nextDueAt() {
        return null;
      },
    });
    loop.start();
    await new Promise<void>((resolve) =>
      setImmediate(() => {
        roundsWhenIoRan = rounds;
        resolve();
      }),
    );
    expect(roundsWhenIoRan).toBeGreaterThan(0);
    expect(roundsWhenIoRan).toBeLessThan(10);
    await loop.stop();
  });
});
