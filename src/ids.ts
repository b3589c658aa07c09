import { randomBytes } from 'node:crypto';

let lastMs = 0;
let counter = 0;

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
  return (
    now.toString(32).padStart(10, '0') +
    counter.toString(32).padStart(4, '0') +
    randomBytes(5).toString('hex').slice(0, 8)
  );
}
