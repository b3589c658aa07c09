import { randomFillSync } from 'node:crypto';

let lastMs = 0;
let counter = 0;
// Random bytes are drawn in blocks: one call into the system's generator per id cost more than the rest of an insert.
const pool = Buffer.alloc(4096);
let poolAt = pool.length;

function random4(): string {
  if (poolAt + 4 > pool.length) {
    randomFillSync(pool);
    poolAt = 0;
  }
  const hex = pool.toString('hex', poolAt, poolAt + 4);
  poolAt += 4;
  return hex;
}

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
  return now.toString(32).padStart(10, '0') + counter.toString(32).padStart(4, '0') + random4();
}
