import { mkdtemp, rm } from 'node:fs/promises';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { afterEach, beforeEach, describe, expect, it } from 'vitest';
import { runExclusive } from '../../src/channel/exclusive.ts';
import { VirtualClock } from '../../src/clock.ts';
import { silentLogger } from '../../src/log.ts';
import type { Store } from '../../src/store/contract.ts';
import { openStore } from '../../src/store/open.ts';

/** Two router instances (owners) sharing one store, each on its own clock so one can "die" (its clock stops). */
describe('runExclusive', () => {
  let dir: string;
  let store: Store;
  const T0 = Date.UTC(2026, 0, 5, 9);

  beforeEach(async () => {
    dir = await mkdtemp(join(tmpdir(), 'tp-exclusive-'));
    store = await openStore({ dataDir: dir, synchronous: 'normal', log: silentLogger });
  });
  afterEach(async () => {
    await store.close();
    await rm(dir, { recursive: true, force: true });
  });

  function instance(owner: string, clock: VirtualClock, log: string[]) {
    return runExclusive({
      store,
      clock,
      log: silentLogger,
      owner,
      name: 'email:mailbox',
      ttlMs: 30_000,
      work: {
        start: async () => {
          log.push(`${owner} start`);
        },
        stop: async () => {
          log.push(`${owner} stop`);
        },
      },
    });
  }
  const settle = () => new Promise((r) => setTimeout(r, 20));

  it('runs the work on one instance; another takes over when the holder dies, and the holder stops if it comes back late', async () => {
    const log: string[] = [];
    const clockA = new VirtualClock(T0);
    const clockB = new VirtualClock(T0);
    const a = await instance('A', clockA, log);
    const b = await instance('B', clockB, log);
    expect([a.running, b.running]).toEqual([true, false]);

    // A renews while it lives: B stays out.
    clockA.advance(10_000);
    clockB.advance(10_000);
    await settle();
    clockA.advance(10_000);
    clockB.advance(10_000);
    await settle();
    expect(b.running).toBe(false);

    // A "dies" (its clock stops); once its lease has run out, B takes over.
    for (let i = 0; i < 5; i++) {
      clockB.advance(10_000);
      await settle();
    }
    expect(b.running).toBe(true);

    // A wakes up much later: it cannot renew, so it stops its work.
    clockA.set(clockB.now());
    clockA.advance(10_000);
    await settle();
    expect(a.running).toBe(false);
    expect(log).toEqual(['A start', 'B start', 'A stop']);

    await b.release();
    await a.release();
    expect(log).toEqual(['A start', 'B start', 'A stop', 'B stop']);
  });

  it('hands over at once when the holder releases the lock', async () => {
    const log: string[] = [];
    const clock = new VirtualClock(T0);
    const a = await instance('A', clock, log);
    const b = await instance('B', clock, log);
    await a.release();
    clock.advance(10_000);
    await settle();
    expect(b.running).toBe(true);
    await b.release();
    expect(log).toEqual(['A start', 'A stop', 'B start', 'B stop']);
  });
});
