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

/** A request body or a text this large is heavy work: its stages take turns (heavyTurn). */
export const HEAVY_BYTES = 64 * 1024;

const waiting: Array<() => void> = [];
let pumping = false;

function pump(): void {
  waiting.shift()?.();
  // the next turn is asked for once the stage just let go has run its first step, so what that step
  // queued (and the I/O of the next poll) comes before the next heavy stage
  queueMicrotask(() => {
    if (waiting.length > 0) setImmediate(pump);
    else pumping = false;
  });
}

/**
 * Resolves in an event-loop turn of its own, one waiter a turn: several large
 * messages arriving at once then run their heavy stages (parsing, storing,
 * routing a megabyte) one per turn, with the I/O that came meanwhile (a health
 * check, small webhooks) served between, instead of all in one stretch.
 */
export function heavyTurn(): Promise<void> {
  return new Promise((resolve) => {
    waiting.push(resolve);
    if (!pumping) {
      pumping = true;
      setImmediate(pump);
    }
  });
}
