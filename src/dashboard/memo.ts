import type { Clock } from '../clock.ts';

/**
 * Keeps what a page computed for a short while, by key, and shares one
 * computation between requests that arrive together: KPIs over a period move
 * slowly, and an owner reloading the overview should not scan the period again.
 * A failed computation is not kept.
 */
export function createMemo<T>(
  clock: Clock,
  ttlMs: number,
  max = 32,
): (key: string, compute: () => Promise<T>) => Promise<{ value: T; at: number }> {
  const kept = new Map<string, { at: number; value: Promise<T> }>();
  return async (key, compute) => {
    const now = clock.now();
    let entry = kept.get(key);
    if (!entry || now - entry.at >= ttlMs) {
      if (kept.size >= max) for (const [k, e] of kept) if (now - e.at >= ttlMs || kept.size >= max) kept.delete(k);
      const value = compute();
      entry = { at: now, value };
      kept.set(key, entry);
      // Fresh from when it was ready, not from when it started: a slow computation is still kept a while.
      const e = entry;
      value.then(
        () => {
          e.at = clock.now();
        },
        () => {
          if (kept.get(key)?.value === value) kept.delete(key);
        },
      );
    }
    return { value: await entry.value, at: entry.at };
  };
}
