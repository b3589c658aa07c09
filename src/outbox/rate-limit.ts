import type { RateLimit } from '../channel/contract.ts';
import type { ChannelSettings } from '../settings/types.ts';

type RateLimitOverride = ChannelSettings['rateLimit'];

/** The adapter's rate with the config's override on top; an explicit `channelPerSecond: null` lifts the channel cap. */
export function mergeRateLimit(base: RateLimit, override: RateLimitOverride): RateLimit {
  const merged: RateLimit = {
    minTimeMs: override?.minTimeMs ?? base.minTimeMs,
    maxConcurrent: override?.maxConcurrent ?? base.maxConcurrent,
    channelPerSecond:
      override?.channelPerSecond !== undefined ? override.channelPerSecond : (base.channelPerSecond ?? null),
  };
  if (!Number.isFinite(merged.minTimeMs) || merged.minTimeMs < 0) {
    throw new RangeError(`rate limit minTimeMs must be 0 or more, got ${merged.minTimeMs}`);
  }
  if (!Number.isInteger(merged.maxConcurrent) || merged.maxConcurrent < 1) {
    throw new RangeError(`rate limit maxConcurrent must be a whole number of 1 or more, got ${merged.maxConcurrent}`);
  }
  if (merged.channelPerSecond != null && !(merged.channelPerSecond > 0)) {
    throw new RangeError(`rate limit channelPerSecond must be above 0, got ${merged.channelPerSecond}`);
  }
  return merged;
}
