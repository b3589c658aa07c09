import type { Clock } from '../clock.ts';
import { HttpError } from '../errors.ts';

interface Bucket {
  tokens: number;
  at: number;
}

/** Above this many tracked keys, full buckets are forgotten so memory stays bounded. */
const SWEEP_ABOVE = 10_000;

/**
 * A token bucket per key (a client IP): `max` requests at once, refilled
 * evenly over `windowMs`. In memory: each router process limits on its own.
 */
export class IpRateLimit {
  readonly #buckets = new Map<string, Bucket>();
  readonly #max: number;
  readonly #perMs: number;
  readonly #clock: Clock;

  constructor(opts: { max: number; windowMs: number; clock: Clock }) {
    this.#max = opts.max;
    this.#perMs = opts.max / opts.windowMs;
    this.#clock = opts.clock;
  }

  /** Takes one token for `key`; throws 429 with a Retry-After (seconds) when none is left. */
  take(key: string): void {
    const wait = this.tryTake(key);
    if (wait > 0) throw tooManyRequests(wait);
  }

  /** Takes one token for `key`: 0 on success, else the milliseconds until one is free. */
  tryTake(key: string): number {
    const now = this.#clock.now();
    const b = this.#buckets.get(key);
    const tokens = b ? Math.min(this.#max, b.tokens + (now - b.at) * this.#perMs) : this.#max;
    if (tokens < 1) {
      if (b) Object.assign(b, { tokens, at: now });
      return Math.ceil((1 - tokens) / this.#perMs);
    }
    if (b) Object.assign(b, { tokens: tokens - 1, at: now });
    else {
      if (this.#buckets.size >= SWEEP_ABOVE) this.#sweep(now);
      this.#buckets.set(key, { tokens: tokens - 1, at: now });
    }
    return 0;
  }

  #sweep(now: number): void {
    for (const [key, b] of this.#buckets) {
      if (b.tokens + (now - b.at) * this.#perMs >= this.#max) this.#buckets.delete(key);
    }
  }
}

export class TooManyRequests extends HttpError {
  readonly retryAfterSeconds: number;
  constructor(retryAfterMs: number) {
    const seconds = Math.max(1, Math.ceil(retryAfterMs / 1000));
    super(429, 'rate_limited', `too many requests; try again in ${seconds} s`);
    this.retryAfterSeconds = seconds;
  }
}

export const tooManyRequests = (retryAfterMs: number) => new TooManyRequests(retryAfterMs);
