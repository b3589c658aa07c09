/**
 * One clock for everything that reads the time or waits. Production uses the
 * system clock; tests use VirtualClock and move time with `advance`, never sleeps.
 */
export interface Clock {
  now(): number;
  /** Calls `fn` once `ms` of this clock's time has passed. Returns a cancel function. */
  after(ms: number, fn: () => void): () => void;
}

export const systemClock: Clock = {
  now: () => Date.now(),
  after(ms, fn) {
    const t = setTimeout(fn, Math.max(0, ms));
    t.unref?.();
    return () => clearTimeout(t);
  },
};

interface Pending {
  at: number;
  fn: () => void;
  seq: number;
}

export class VirtualClock implements Clock {
  #now: number;
  #pending: Pending[] = [];
  #seq = 0;

  constructor(start: number | Date = Date.UTC(2026, 0, 5, 9, 0, 0)) {
    this.#now = typeof start === 'number' ? start : start.getTime();
  }

  now(): number {
    return this.#now;
  }

  after(ms: number, fn: () => void): () => void {
    const entry: Pending = { at: this.#now + Math.max(0, ms), fn, seq: this.#seq++ };
    this.#pending.push(entry);
    return () => {
      this.#pending = this.#pending.filter((p) => p !== entry);
    };
  }

  /** Moves time forward, firing every callback that falls due, in order. */
  advance(ms: number): void {
    this.set(this.#now + ms);
  }

  set(to: number | Date): void {
    const target = typeof to === 'number' ? to : to.getTime();
    for (;;) {
      const due = this.#pending.filter((p) => p.at <= target).sort((a, b) => a.at - b.at || a.seq - b.seq)[0];
      if (!due) break;
      this.#pending = this.#pending.filter((p) => p !== due);
      this.#now = Math.max(this.#now, due.at);
      due.fn();
    }
    this.#now = Math.max(this.#now, target);
  }
}
