/**
 * The last guard before a paced send: at most `perWindow` sends of one
 * destination start within any `windowMs`, by the times they really start.
 * Bottleneck spaces sends by the times it planned for them; a send whose
 * timer fires late (the event loop held up by a long transaction) still keeps
 * the next one's planned time, so the provider, counting per second as
 * requests arrive, could see one too many. A late send shifts only the send a
 * window after it here, so time lost to a stall is not lost for good.
 *
 * A send is counted twice: by when it was admitted, within `windowMs`, and by
 * when its request was written to the network (`written`), within
 * `writtenWindowMs`. What happens between the two (a lease renewed, a
 * connection opened, a transaction of another part holding the event loop)
 * then cannot let requests admitted on time reach the provider bunched, and a
 * short delay costs no pace: it only counts once it is longer than the
 * difference of the two windows.
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
  /** Of admissions. */
  windowMs: number;
  /** Of written requests (unwritten ones by their admission); the admissions' window when left out. */
  writtenWindowMs?: number;
  now?: () => number;
  sleep?: (ms: number) => Promise<void>;
}

interface Start {
  admitted: number;
  /** When its request was written; its admission until then. */
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

  const writtenMs = o.writtenWindowMs ?? o.windowMs;
  const span = Math.max(o.windowMs, writtenMs);
  const gone = (s: Start, t: number) => s.settled && Math.max(s.admitted, s.at) + span <= t;
  /** How long until fewer than `perWindow` of `times` lie within `ms` before `t` (0: now). */
  const wait = (times: number[], ms: number, t: number): number => {
    const inside = times.filter((x) => x + ms > t).sort((a, b) => a - b);
    return inside.length < o.perWindow ? 0 : (inside[inside.length - o.perWindow] as number) + ms - t;
  };

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
      // Once the earliest of too many leaves its window, by admission and by writing.
      const ms = Math.max(
        wait(
          kept.map((s) => s.admitted),
          o.windowMs,
          t,
        ),
        wait(
          kept.map((s) => s.at),
          writtenMs,
          t,
        ),
      );
      if (ms <= 0) {
        const start: Start = { admitted: t, at: t, written: false, settled: false };
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
      await sleep(ms);
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
