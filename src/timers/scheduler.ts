import type { Clock } from '../clock.ts';
import type { Logger } from '../log.ts';
import { type Backoff, type BackoffOptions, toBackoff } from '../retry/backoff.ts';
import type { Store, StoreTx, Timer } from '../store/contract.ts';
import { createDueLoop, type RoundResult } from './due-loop.ts';
import { handlerFor, type TimerHandler } from './handlers.ts';

/**
 * Fires durable timers. Each handler runs inside a store transaction together
 * with the timer's completion, so its effects and "fired" commit as one: a
 * crash before the commit fires it again later, never twice after it.
 */
export interface TimerSchedulerOptions {
  store: Store;
  clock: Clock;
  log: Logger;
  /** Lease owner: unique per process, and distinct from the outbox worker's (stop() releases all of it). */
  owner: string;
  /** A handler must finish within leaseMs / 2: none starts with less of the lease left. */
  leaseMs: number;
  /** By kind (`sla.breach`) or kind prefix (`sla` or `sla.` matches `sla.breach`); the longest match wins. */
  handlers: Record<string, TimerHandler>;
  /** Delay before a failed handler runs again; capped, so a broken handler retries at a slow, steady pace. */
  backoff?: Backoff | BackoffOptions;
  /** Failures after which a timer is given up (completed, with the error kept); unlimited when unset. */
  maxAttempts?: number;
  batchSize?: number;
  /** Longest sleep between looks at the store (timers written by other processes). */
  pollMs?: number;
  /**
   * Kind prefixes that must not fire now (a crisis pauses automated flows and
   * follow-ups), read at each round: paused timers stay due and fire, earliest
   * first, in the first round after they are no longer paused.
   */
  paused?: () => Promise<readonly string[]>;
}

export interface TimerScheduler {
  start(): void;
  /** Stops claiming, finishes the timer in hand, and releases this owner's leases. */
  stop(): Promise<void>;
  /** New timers were committed: look now. */
  kick(): void;
  /** One round: fires what is due. Returns how many timers were claimed. */
  tick(): Promise<number>;
  /** Rounds until nothing due is left. */
  drain(): Promise<void>;
}

const maxDrainRounds = 1_000;

export function createTimerScheduler(o: TimerSchedulerOptions): TimerScheduler {
  if (!(o.leaseMs > 0)) throw new RangeError(`timer leaseMs must be above 0, got ${o.leaseMs}`);
  const batchSize = o.batchSize ?? 50;
  const backoff = toBackoff(o.backoff ?? { baseMs: 1_000, maxMs: 10 * 60_000 });
  let stopping = false;
  let stopDone: Promise<void> | null = null;

  const paused = o.paused ?? (async () => []);

  const loop = createDueLoop({
    clock: o.clock,
    log: o.log,
    name: 'timers',
    round,
    nextDueAt: async () => o.store.nextDueAt(await paused()),
    ...(o.pollMs ? { pollMs: o.pollMs } : {}),
  });

  async function round(): Promise<RoundResult> {
    if (stopping) return { claimed: 0, full: false };
    const now = o.clock.now();
    const skip = await paused();
    const timers = await o.store.claimTimers({ owner: o.owner, now, leaseMs: o.leaseMs, limit: batchSize }, skip);
    const leaseEnd = now + o.leaseMs;
    for (const timer of timers) {
      // Timers left over stay leased: after their lease (or at stop) they are taken again.
      if (stopping || o.clock.now() > leaseEnd - o.leaseMs / 2) break;
      try {
        await fire(timer);
      } catch (err) {
        o.log.error(
          { err, timerId: timer.id, kind: timer.kind },
          'recording a timer outcome failed; it fires after its lease',
        );
      }
    }
    return { claimed: timers.length, full: timers.length >= batchSize };
  }

  async function fire(timer: Timer): Promise<void> {
    const handler = handlerFor(o.handlers, timer.kind);
    if (!handler) {
      o.log.error({ timerId: timer.id, kind: timer.kind }, 'no handler for this timer kind; completed without firing');
      return giveUp(timer, `no handler for timer kind "${timer.kind}"`);
    }
    try {
      await o.store.transaction(async (tx: StoreTx) => {
        await handler(timer, tx);
        await tx.completeTimer(timer.id, o.clock.now());
      });
    } catch (err) {
      const error = err instanceof Error ? err.message : String(err);
      const attempts = timer.attempts + 1;
      if (o.maxAttempts !== undefined && attempts >= o.maxAttempts) {
        o.log.error({ err, timerId: timer.id, kind: timer.kind, attempts }, 'timer handler kept failing; given up');
        return giveUp(timer, `${error} (gave up after ${attempts} attempts)`);
      }
      const at = o.clock.now() + backoff(attempts);
      o.log.warn({ err, timerId: timer.id, kind: timer.kind, attempts, retryAt: at }, 'timer handler failed; retrying');
      await o.store.rescheduleTimer(timer.id, at, error);
      loop.wakeAt(at);
    }
  }

  /** Keeps the reason on the row (rescheduleTimer records it), then completes the timer so it never fires. */
  async function giveUp(timer: Timer, reason: string): Promise<void> {
    const now = o.clock.now();
    await o.store.rescheduleTimer(timer.id, now, reason);
    await o.store.transaction((tx) => tx.completeTimer(timer.id, now));
  }

  return {
    start() {
      if (stopping) throw new Error('this timer scheduler was stopped; create a new one');
      loop.start();
    },
    stop() {
      stopDone ??= (async () => {
        stopping = true;
        await loop.stop();
        await o.store.releaseLeases(o.owner);
      })();
      return stopDone;
    },
    kick: loop.kick,
    async tick() {
      return (await loop.round()).claimed;
    },
    async drain() {
      for (let i = 0; i < maxDrainRounds; i++) {
        if ((await loop.round()).claimed === 0) return;
      }
      throw new Error(`timers were still due after ${maxDrainRounds} rounds`);
    },
  };
}
