import type { BlobStore } from '../blobs/contract.ts';
import type { Clock } from '../clock.ts';
import { parseDuration } from '../duration.ts';
import type { Logger } from '../log.ts';
import type { RetentionSettings } from '../settings/retention-schema.ts';
import type { Store } from '../store/contract.ts';
import type { TimerHandler } from '../timers/handlers.ts';
import { type RetentionReport, runRetention } from './retention.ts';

export const RETENTION_TIMER = 'retention.run';
/** One pending retention timer per store, whichever instance scheduled it. */
const KEY = 'retention';

export interface RetentionTimer {
  handlers: Record<string, TimerHandler>;
  /** Schedules the first run (due at once) unless one is already waiting; call at start. */
  ensureScheduled(): Promise<void>;
  /** The report of the run in progress once it ends, else of the last run (null: none yet, or it failed). */
  idle(): Promise<RetentionReport | null>;
  /** Stops a run in progress at its next batch and waits for it. */
  stop(): Promise<void>;
}

/**
 * The daily run on a durable timer: firing schedules the next one in the
 * same transaction (so a restart never loses the rhythm), and the run itself
 * starts after, outside any transaction, as many small ones.
 */
export function createRetentionTimer(deps: {
  store: Store;
  clock: Clock;
  log: Logger;
  settings: () => RetentionSettings;
  /** The blob store, once opened: removed messages' files are deleted with them. */
  blobs?: () => BlobStore;
}): RetentionTimer {
  let running: Promise<RetentionReport | null> | null = null;
  let last: Promise<RetentionReport | null> = Promise.resolve(null);
  const stopping = new AbortController();

  function start(): void {
    // A run longer than the interval: the next firing finds it still going and leaves it be.
    if (running || stopping.signal.aborted) return;
    const opts = { log: deps.log, signal: stopping.signal, ...(deps.blobs ? { blobs: deps.blobs() } : {}) };
    running = runRetention(deps.store, deps.settings(), deps.clock.now(), opts)
      .catch((err: unknown) => {
        if (stopping.signal.aborted) return null;
        // What it removed stays removed; the rest goes at the next run.
        deps.log.error({ err }, 'retention run failed');
        return null;
      })
      .finally(() => {
        running = null;
      });
    last = running;
  }

  return {
    handlers: {
      [RETENTION_TIMER]: async (_timer, tx) => {
        const now = deps.clock.now();
        await tx.scheduleTimer(
          { kind: RETENTION_TIMER, key: KEY, dueAt: now + parseDuration(deps.settings().every) },
          now,
        );
        setImmediate(start);
      },
    },
    async ensureScheduled() {
      const now = deps.clock.now();
      await deps.store.transaction(async (tx) => {
        if (!(await tx.timerPending(KEY))) await tx.scheduleTimer({ kind: RETENTION_TIMER, key: KEY, dueAt: now }, now);
      });
    },
    idle: () => last,
    async stop() {
      stopping.abort();
      await running;
    },
  };
}
