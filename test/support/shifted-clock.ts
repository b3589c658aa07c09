import type { Clock } from '../../src/clock.ts';

/**
 * Real time that starts at a chosen instant: for whole-app tests driven by a
 * real browser or real servers, where time must pass on its own but the
 * business must be open (or closed) whatever day the test runs.
 */
export function shiftedClock(start: Date): Clock {
  const offset = start.getTime() - Date.now();
  return {
    now: () => Date.now() + offset,
    after(ms, fn) {
      const t = setTimeout(fn, Math.max(0, ms));
      return () => clearTimeout(t);
    },
  };
}
