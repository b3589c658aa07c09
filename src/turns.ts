/**
 * Letting the event loop turn: long work in one macrotask holds every other
 * request (a health check, a webhook) until it ends, so work over large items
 * is cut into runs with a turn between them.
 */

/** Resolves after the I/O queued meanwhile has had its turn. */
export const yieldTurn = (): Promise<void> => new Promise((resolve) => setImmediate(resolve));

/** The longest prefix of `items` whose weights sum to at most `max`; never empty while there are items. */
export function prefixByWeight<T>(items: readonly T[], weigh: (item: T) => number, max: number): T[] {
  let total = 0;
  let n = 0;
  for (const item of items) {
    total += weigh(item);
    if (n > 0 && total > max) break;
    n++;
  }
  return items.slice(0, n);
}

/** Characters of customer text a transaction takes before the rest waits a turn (a 1 MB message is a run of its own). */
export const TEXT_PER_TURN = 256 * 1024;
