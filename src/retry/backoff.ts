import { parseDuration } from '../duration.ts';

/** Delay in ms before retry number `attempt` (1 for the first retry). */
export type Backoff = (attempt: number) => number;

export interface BackoffOptions {
  baseMs: number;
  maxMs: number;
  /** A number in [0, 1): injectable so tests get exact delays. */
  random?: () => number;
}

/**
 * Exponential backoff with full jitter: a uniform delay between 0 and
 * min(max, base · 2^(attempt−1)). Full jitter spreads retries of many failed
 * sends so they do not hit a recovering provider at the same instant.
 */
export function createBackoff({ baseMs, maxMs, random = Math.random }: BackoffOptions): Backoff {
  if (!Number.isFinite(baseMs) || baseMs <= 0)
    throw new RangeError(`backoff base must be a positive number of ms, got ${baseMs}`);
  if (!Number.isFinite(maxMs) || maxMs < baseMs)
    throw new RangeError(`backoff max (${maxMs} ms) must be at least the base (${baseMs} ms)`);
  return (attempt) => {
    const n = Math.max(1, Math.floor(attempt));
    // 2^(n-1) overflows to Infinity for huge n; min() caps it either way.
    const ceiling = Math.min(maxMs, baseMs * 2 ** (n - 1));
    return Math.floor(random() * ceiling);
  };
}

/** The outbox backoff from `router.outbox.backoffBase` and `backoffMax` (durations such as `2s`, `10m`). */
export function backoffFromSettings(
  outbox: { backoffBase: string; backoffMax: string },
  random?: () => number,
): Backoff {
  return createBackoff({
    baseMs: parseDuration(outbox.backoffBase),
    maxMs: parseDuration(outbox.backoffMax),
    ...(random ? { random } : {}),
  });
}

/** A backoff given either as the function itself or as its options. */
export function toBackoff(b: Backoff | BackoffOptions): Backoff {
  return typeof b === 'function' ? b : createBackoff(b);
}
