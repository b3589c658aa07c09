/**
 * The last guard before a paced send: at most `perWindow` sends of one
 * destination start within any `windowMs`, by the times they really start.
 * Bottleneck spaces sends by the times it planned for them; a send whose
 * timer fires late (the event loop held up by a long transaction) still keeps
 * the next one's planned time, so the provider, counting per second as
 * requests arrive, could see one too many. A late send shifts only the send a
 * window after it here, so time lost to a stall is not lost for good.
 *
 * A send starts when it is admitted, and again, later, when its request is
 * written to the network (`written`): what happens between the two (a lease
 * renewed, a connection opened, a transaction of another part holding the
 * event loop) no longer lets requests admitted on time reach the provider
 * bunched.
 */
export interface SendWindow {
  /** Resolves when a send to `key` may start, and counts it as started then; calls of one key resolve in call order. */
  admit(key: string): Promise<Admission>;
}

/** One admitted send, which tells the window when it really started and when it is over. */
export interface Admission {
  /** Its request was written now: it counts from now (only the first call counts). */
  written(): void;
  /** The send is over (sent, failed, or never tried): its start can no longer move. */
  settled(): void;
}

export interface SendWindowOptions {
  perWindow: number;
  windowMs: number;
  now?: () => number;
  sleep?: (ms: number) => Promise<void>;
}

interface Start {
  at: number;
  written: boolean;
  settled: boolean;
}

/** Keys whose sends all lie a window back are dropped once this many are kept. */
const SWEEP_AT = 1_000;

export function createSendWindow(o: SendWindowOptions): SendWindow {
  if (!Number.isInteger(o.perWindow) || o.perWindow < 1)
    throw new RangeError(`sends per window must be 1 or more, got ${o.perWindow}`);
  const now = o.now ?? (() => performance.now());
  const sleep = o.sleep ?? ((ms: number) => new Promise<void>((resolve) => setTimeout(resolve, ms)));
  /** Starts per key that may still count: within the last window, or not settled (their time may still move). */
  const starts = new Map<string, Start[]>();
  /** The latest admission of each key: the next one waits for it, so they resolve in call order. */
  const tails = new Map<string, Promise<Admission>>();

  const gone = (s: Start, t: number) => s.settled && s.at + o.windowMs <= t;

  async function take(key: string): Promise<Admission> {
    for (;;) {
      const t = now();
      let times = starts.get(key);
      if (!times) {
        if (starts.size >= SWEEP_AT) sweep(t);
        times = [];
        starts.set(key, times);
      }
      const kept = times.filter((s) => !gone(s, t));
      times.splice(0, times.length, ...kept);
      const inside = kept
        .filter((s) => s.at + o.windowMs > t)
        .map((s) => s.at)
        .sort((a, b) => a - b);
      if (inside.length < o.perWindow) {
        const start: Start = { at: t, written: false, settled: false };
        times.push(start);
        return {
          written() {
            if (start.written || start.settled) return;
            start.written = true;
            start.at = Math.max(start.at, now());
          },
          settled() {
            start.settled = true;
          },
        };
      }
      // Once the earliest of those too many leaves the window.
      await sleep((inside[inside.length - o.perWindow] as number) + o.windowMs - t);
    }
  }

  function sweep(t: number): void {
    for (const [key, times] of starts) if (times.every((s) => gone(s, t))) starts.delete(key);
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
