import { z } from 'zod';
import type { Clock } from '../../src/channel/index.ts';

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
 * Delay before the next attempt after `failures` failures in a row: doubling
 * from `minDelayMs` up to `maxDelayMs`, with jitter so that many clients that
 * failed together do not come back together.
 */
export function backoffDelay(bounds: { minDelayMs: number; maxDelayMs: number }, failures: number): number {
  const base = Math.min(bounds.maxDelayMs, bounds.minDelayMs * 2 ** Math.min(failures - 1, 20));
  return Math.round(base * (0.5 + Math.random() * 0.5));
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
