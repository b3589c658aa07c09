import { z } from 'zod';
import { type Clock, createBackoff } from '../../src/channel/index.ts';

/** The `reconnect:` block of a channel's settings: exponential back-off bounds between attempts. */
export function reconnectSettings(description: string) {
  return z
    .object({
      minDelayMs: z.number().int().min(1).default(1_000),
      maxDelayMs: z.number().int().min(1).default(60_000),
    })
    .strict()
    .prefault({})
    .describe(description);
}

/**
 * Delay before the next attempt after `failures` failures in a row: the
 * core's one backoff policy (full jitter, doubling from `minDelayMs`, capped
 * at `maxDelayMs`), so clients that failed together do not come back together.
 */
export function backoffDelay(bounds: { minDelayMs: number; maxDelayMs: number }, failures: number): number {
  const maxMs = Math.max(bounds.minDelayMs, bounds.maxDelayMs);
  return createBackoff({ baseMs: bounds.minDelayMs, maxMs })(failures);
}

/** Waits on the clock; `cancel` ends the wait in progress at once (on stop). */
export class CancellableWait {
  readonly #clock: Clock;
  #cancel: (() => void) | null = null;

  constructor(clock: Clock) {
    this.#clock = clock;
  }

  wait(ms: number): Promise<void> {
    return new Promise((resolve) => {
      const cancel = this.#clock.after(ms, () => {
        this.#cancel = null;
        resolve();
      });
      this.#cancel = () => {
        cancel();
        this.#cancel = null;
        resolve();
      };
    });
  }

  cancel(): void {
    this.#cancel?.();
  }
}
