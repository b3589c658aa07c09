import { randomFillSync } from 'node:crypto';

let lastMs = 0;
let counter = 0;
// Random bytes are drawn in blocks: one call into the system's generator per id cost more than the rest of an insert.
const pool = Buffer.alloc(4096);
let poolAt = pool.length;

/** `n` (at most the pool's size) random bytes from the pool, encoded. */
function take(n: number, encoding: 'hex' | 'base64url'): string {
  if (poolAt + n > pool.length) {
    randomFillSync(pool);
    poolAt = 0;
  }
  const text = pool.toString(encoding, poolAt, poolAt + n);
  poolAt += n;
  return text;
}

/** Random bytes as base64url, for tokens compared for equality only (not secrets). */
export const randomToken = (bytes: number): string => take(bytes, 'base64url');

/**
 * Sortable unique ids: 10 base-32 characters of milliseconds, a 4-character
 * counter that keeps ids from one process in creation order, and 8 random
 * characters against collisions between processes.
 */
export function newId(): string {
  let now = Date.now();
  if (now <= lastMs) {
    counter++;
    now = lastMs;
  } else {
    lastMs = now;
    counter = 0;
  }
  return now.toString(32).padStart(10, '0') + counter.toString(32).padStart(4, '0') + take(4, 'hex');
}
