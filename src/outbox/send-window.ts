/**
 * The last guard before a paced send: at most `perWindow` sends of one
 * destination start within any `windowMs`, by the times they really start.
 * Bottleneck spaces sends by the times it planned for them; a send whose
 * timer fires late (the event loop held up by a long transaction) still keeps
 * the next one's planned time, so the provider, counting per second as
 * requests arrive, could see one too many. A late send shifts only the send a
 * window after it here, so time lost to a stall is not lost for good.
 */
export interface SendWindow {
  /** Resolves when a send to `key` may start, and counts it as started then; calls of one key resolve in call order. */
  admit(key: string): Promise<void>;
}

export interface SendWindowOptions {
  perWindow: number;
  windowMs: number;
  now?: () => number;
  sleep?: (ms: number) => Promise<void>;
}

/** Keys whose sends all lie a window back are dropped once this many are kept. */
const SWEEP_AT = 1_000;

export function createSendWindow(o: SendWindowOptions): SendWindow {
  if (!Number.isInteger(o.perWindow) || o.perWindow < 1)
    throw new RangeError(`sends per window must be 1 or more, got ${o.perWindow}`);
  const now = o.now ?? (() => performance.now());
  const sleep = o.sleep ?? ((ms: number) => new Promise<void>((resolve) => setTimeout(resolve, ms)));
  /** Start times of the last `perWindow` sends, oldest first, per key. */
  const starts = new Map<string, number[]>();
  /** The latest admission of each key: the next one waits for it, so they resolve in call order. */
  const tails = new Map<string, Promise<void>>();

  async function take(key: string): Promise<void> {
    for (;;) {
      const t = now();
      let times = starts.get(key);
      if (!times) {
        if (starts.size >= SWEEP_AT) sweep(t);
        times = [];
        starts.set(key, times);
      }
      const oldest = times.length < o.perWindow ? undefined : times[0];
      if (oldest === undefined || t >= oldest + o.windowMs) {
        times.push(t);
        if (times.length > o.perWindow) times.shift();
        return;
      }
      await sleep(oldest + o.windowMs - t);
    }
  }

  function sweep(t: number): void {
    for (const [key, times] of starts) if ((times.at(-1) ?? 0) + o.windowMs <= t) starts.delete(key);
  }

  return {
    admit(key) {
      const mine = (tails.get(key) ?? Promise.resolve()).then(() => take(key));
      tails.set(key, mine);
      void mine.finally(() => {
        if (tails.get(key) === mine) tails.delete(key);
      });
      return mine;
    },
  };
}
