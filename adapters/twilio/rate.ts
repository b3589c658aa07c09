import type { RateLimit } from '../../src/channel/index.ts';
import type { NumberKind } from './numbers.ts';
import type { NumberSettings } from './settings.ts';

/** Messages per second one sender may send by default (Twilio's figures for US numbers). */
export const DEFAULT_RATE: Record<NumberKind, number> = {
  longcode: 1,
  tollfree: 3,
  shortcode: 100,
  whatsapp: 80,
};

export const rateOf = (n: NumberSettings): number => n.ratePerSecond ?? DEFAULT_RATE[n.kind];

/**
 * The outbox applies one rate per channel to each destination (here: each of
 * our sending numbers), so the slowest configured number sets it: no number
 * is ever pushed past its own limit. Up to half a second's worth of creates
 * may be in flight at once where the rate allows: a send holds its slot while
 * it waits for its turn and while the request runs, so with fewer, slow
 * requests on a busy machine would leave planned turns unused.
 */
export function rateLimitFor(numbers: NumberSettings[]): RateLimit {
  const slowest = Math.min(...numbers.map(rateOf));
  return {
    minTimeMs: Math.ceil(1000 / slowest),
    maxConcurrent: Math.min(25, Math.max(1, Math.floor(slowest / 2))),
  };
}
