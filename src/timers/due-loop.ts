import type { Clock } from '../clock.ts';
import type { Logger } from '../log.ts';

/**
 * The loop shared by the outbox worker and the timer scheduler: run a round
 * (claim what is due and start it), then sleep on the Clock until the store's
 * next due instant, a kick, or the poll interval, whichever comes first. With
 * a VirtualClock, `advance()` wakes the loop; nothing waits in real time.
 */
export interface RoundResult {
  claimed: number;
  /** The round took as many rows as it could: more may be due, so go again at once. */
  full: boolean;
}

export interface DueLoopOptions {
  clock: Clock;
  log: Logger;
  name: string;
  round: () => Promise<RoundResult>;
  /** Earliest instant something falls due (Store.nextDueAt). */
  nextDueAt: () => Promise<number | null>;
  /** Longest sleep: rows written by other processes, which cannot kick us, are seen within this. */
  pollMs?: number;
  /**
   * Shortest sleep after a round that claimed nothing: a due row this loop cannot
   * take (another loop's kind, no free slot) must not make it spin.
   */
  idleMs?: number;
}

export interface DueLoop {
  start(): void;
  /** Stops the loop and waits for the round in progress. */
  stop(): Promise<void>;
  /** Run a round now (new rows were committed, or capacity came free). */
  kick(): void;
  /** Make sure the loop is awake at `at` (a row was put back due then). */
  wakeAt(at: number): void;
  /** One round, serialised with the loop's own rounds. */
  round(): Promise<RoundResult>;
}

interface Sleeper {
  until: number;
  cancelTimer: () => void;
  done: () => void;
}

export function createDueLoop(o: DueLoopOptions): DueLoop {
  const pollMs = o.pollMs ?? 1_000;
  const idleMs = o.idleMs ?? Math.min(200, pollMs);
  let running = false;
  let kicked = false;
  let loop: Promise<void> | null = null;
  let current: Promise<RoundResult> | null = null;
  let earliest = Number.POSITIVE_INFINITY;
  let sleeper: Sleeper | null = null;

  /** Rounds never overlap: a caller's round waits for the one in progress. */
  async function round(): Promise<RoundResult> {
    while (current) await current.catch(() => undefined);
    const p = o.round();
    current = p;
    try {
      return await p;
    } finally {
      current = null;
    }
  }

  function sleepUntil(until: number): Promise<void> {
    return new Promise((resolve) => {
      const s: Sleeper = {
        until,
        cancelTimer: () => {},
        done: () => {
          s.cancelTimer();
          if (sleeper === s) sleeper = null;
          resolve();
        },
      };
      s.cancelTimer = o.clock.after(until - o.clock.now(), s.done);
      sleeper = s;
    });
  }

  function kick(): void {
    kicked = true;
    sleeper?.done();
  }

  async function run(): Promise<void> {
    while (running) {
      kicked = false;
      let result: RoundResult = { claimed: 0, full: false };
      try {
        result = await round();
      } catch (err) {
        o.log.error({ err, loop: o.name }, 'round failed');
      }
      if (!running) break;
      if (result.full || kicked) {
        // A round may finish without ever leaving the microtask queue (SQLite answers synchronously):
        // let sockets and timers run before the next one, or a busy loop starves every request.
        await new Promise<void>((resolve) => setImmediate(resolve));
        continue;
      }
      let next: number | null = null;
      try {
        next = await o.nextDueAt();
      } catch (err) {
        o.log.error({ err, loop: o.name }, 'reading the next due time failed');
      }
      if (!running) break;
      if (kicked) continue;
      const now = o.clock.now();
      let until = Math.min(now + pollMs, next ?? Number.POSITIVE_INFINITY, earliest);
      earliest = Number.POSITIVE_INFINITY;
      if (until <= now) {
        // Something is due already: go again if this round made progress, else rest a little.
        if (result.claimed > 0) continue;
        until = now + idleMs;
      }
      await sleepUntil(until);
    }
  }

  return {
    start() {
      if (running) return;
      running = true;
      loop = run();
    },
    async stop() {
      running = false;
      sleeper?.done();
      await loop;
      loop = null;
    },
    kick,
    wakeAt(at) {
      if (at <= o.clock.now()) return kick();
      const s = sleeper;
      if (!s) {
        earliest = Math.min(earliest, at);
        return;
      }
      if (at >= s.until) return;
      s.cancelTimer();
      s.until = at;
      s.cancelTimer = o.clock.after(at - o.clock.now(), s.done);
    },
    round,
  };
}
