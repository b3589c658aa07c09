import type { StoreTx, Timer } from '../store/contract.ts';

/**
 * Does what a timer is for; runs inside the transaction that completes the
 * timer. Use only `tx`: with one SQLite connection, a call on the Store itself
 * would wait for this very transaction to end.
 */
export type TimerHandler = (timer: Timer, tx: StoreTx) => Promise<void>;

/**
 * The handler for a timer kind: an exact key, else the longest key that is a
 * dotted prefix of the kind (`sla` and `sla.` both match `sla.breach`, `sla`
 * does not match `slack.retry`).
 */
export function handlerFor(handlers: Readonly<Record<string, TimerHandler>>, kind: string): TimerHandler | null {
  const exact = Object.hasOwn(handlers, kind) ? handlers[kind] : undefined;
  if (exact) return exact;
  let best: { length: number; handler: TimerHandler } | null = null;
  for (const [key, handler] of Object.entries(handlers)) {
    const prefix = key.endsWith('.') ? key : `${key}.`;
    if (key.length > 0 && kind.startsWith(prefix) && (!best || key.length > best.length)) {
      best = { length: key.length, handler };
    }
  }
  return best?.handler ?? null;
}
