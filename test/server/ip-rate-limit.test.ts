import { describe, expect, it } from 'vitest';
import { VirtualClock } from '../../src/clock.ts';
import { IpRateLimit, TooManyRequests } from '../../src/http/ip-rate-limit.ts';

describe('IpRateLimit', () => {
  it('allows a burst of max, then refills evenly over the window, per key', () => {
    const clock = new VirtualClock();
    const limit = new IpRateLimit({ max: 3, windowMs: 60_000, clock });
    expect([limit.tryTake('a'), limit.tryTake('a'), limit.tryTake('a')]).toEqual([0, 0, 0]);
    expect(limit.tryTake('a')).toBe(20_000);
    expect(limit.tryTake('b')).toBe(0);
    clock.advance(19_999);
    expect(limit.tryTake('a')).toBe(1);
    clock.advance(1);
    expect(limit.tryTake('a')).toBe(0);
    expect(limit.tryTake('a')).toBe(20_000);
  });

  it('throws 429 with Retry-After in whole seconds', () => {
    const clock = new VirtualClock();
    const limit = new IpRateLimit({ max: 1, windowMs: 1500, clock });
    limit.take('a');
    const err = (() => {
      try {
        limit.take('a');
      } catch (e) {
        return e;
      }
    })();
    expect(err).toBeInstanceOf(TooManyRequests);
    expect((err as TooManyRequests).status).toBe(429);
    expect((err as TooManyRequests).retryAfterSeconds).toBe(2);
  });

  it('forgets refilled keys once it tracks many, keeping limits on busy ones', () => {
    const clock = new VirtualClock();
    const limit = new IpRateLimit({ max: 1, windowMs: 1000, clock });
    limit.take('busy');
    for (let i = 0; i < 10_000; i++) limit.tryTake(`k${i}`);
    clock.advance(1000);
    limit.tryTake('busy');
    // After the sweep, fresh keys start full again, and 'busy' is still limited.
    expect(limit.tryTake('new-key')).toBe(0);
    expect(limit.tryTake('busy')).toBe(1000);
  });
});
