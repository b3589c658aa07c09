/**
 * A per-key concurrency cap: at most `max` jobs of one key run at once, the
 * rest start in call order as slots free up. The limiter uses it for
 * destinations that have no pace to keep (no spacing, no channel cap, no
 * instances to share with): there bottleneck would only count to
 * `maxConcurrent`, at a cost of some 200 µs of scheduling per send — more
 * than the rest of a reply's journey through the router.
 */
export interface ConcurrencyGate {
  run<T>(key: string, fn: () => Promise<T>): Promise<T>;
}

interface Slot {
  running: number;
  waiting: Array<() => void>;
}

export function createConcurrencyGate(max: number): ConcurrencyGate {
  if (!Number.isInteger(max) || max < 1) throw new RangeError(`a concurrency cap must be 1 or more, got ${max}`);
  const slots = new Map<string, Slot>();

  function release(key: string, slot: Slot): void {
    const next = slot.waiting.shift();
    if (next) {
      next();
      return;
    }
    slot.running--;
    if (slot.running === 0) slots.delete(key);
  }

  return {
    async run(key, fn) {
      let slot = slots.get(key);
      if (!slot) {
        slot = { running: 0, waiting: [] };
        slots.set(key, slot);
      }
      // A freed slot passes straight to the next waiter, so `running` counts it already.
      if (slot.running < max) slot.running++;
      else await new Promise<void>((resolve) => (slot as Slot).waiting.push(resolve));
      try {
        return await fn();
      } finally {
        release(key, slot);
      }
    },
  };
}
