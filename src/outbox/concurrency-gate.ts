/**
 * A per-key concurrency cap: at most `max` jobs of one key run at once, the
 * rest start in call order as slots free up. The limiter puts every send
 * through one (its waiting jobs can be turned away when a provider says to
 * wait, which bottleneck's queue cannot do), and for destinations that have
 * no pace to keep it is the whole limiter: there bottleneck would only count
 * to `maxConcurrent`, at a cost of some 200 µs of scheduling per send.
 */
export interface ConcurrencyGate {
  run<T>(key: string, fn: () => Promise<T>): Promise<T>;
  /** Rejects, with `reason(key)`, every job still waiting for a slot under the keys `which` selects. */
  turnAway(which: (key: string) => boolean, reason: (key: string) => Error): void;
}

interface Waiter {
  resolve: () => void;
  reject: (err: Error) => void;
}

interface Slot {
  running: number;
  waiting: Waiter[];
}

export function createConcurrencyGate(max: number): ConcurrencyGate {
  if (!Number.isInteger(max) || max < 1) throw new RangeError(`a concurrency cap must be 1 or more, got ${max}`);
  const slots = new Map<string, Slot>();

  function release(key: string, slot: Slot): void {
    const next = slot.waiting.shift();
    if (next) {
      next.resolve();
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
      else await new Promise<void>((resolve, reject) => (slot as Slot).waiting.push({ resolve, reject }));
      try {
        return await fn();
      } finally {
        release(key, slot);
      }
    },

    turnAway(which, reason) {
      for (const [key, slot] of slots) {
        if (!which(key)) continue;
        const gone = slot.waiting.splice(0);
        for (const w of gone) w.reject(reason(key));
      }
    },
  };
}
