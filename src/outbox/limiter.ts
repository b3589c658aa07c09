import Bottleneck from 'bottleneck';
import { Redis } from 'ioredis';
import type { RateLimit } from '../channel/contract.ts';
import type { Logger } from '../log.ts';
import type { ChannelSettings } from '../settings/types.ts';
import { type ConcurrencyGate, createConcurrencyGate } from './concurrency-gate.ts';
import { mergeRateLimit } from './rate-limit.ts';

/**
 * Sending rates, per channel and destination, through bottleneck: one Group per
 * channel keyed by destination, plus a channel-wide limiter when the channel
 * caps sends per second. With a Redis URL every limiter is clustered, so the
 * rates hold across all router instances sharing that Redis. A channel with
 * no pace to keep (no spacing, no channel cap) and no Redis to share it
 * through only caps sends in flight per destination: a concurrency gate does
 * that without bottleneck's scheduling cost.
 */
export interface OutboxLimiter {
  /** Runs `fn` once the channel's and the destination's rates allow it; jobs of one destination start in call order. */
  schedule<T>(channel: string, destination: string, fn: () => Promise<T>): Promise<T>;
  /** A provider said to wait: nothing should go to this destination before `until`. Times come from the caller's clock. */
  holdOff(channel: string, destination: string, until: number, now: number): Promise<void>;
  /** The instant before which this destination must not be sent to, or null when it is free at `now`. */
  heldUntil(channel: string, destination: string, now: number): Promise<number | null>;
  /** The effective rate of a channel: the adapter's, with the config's override applied. */
  rateLimit(channel: string): RateLimit;
  /** Disconnects from Redis (when clustered). Jobs already scheduled still run. */
  close(): Promise<void>;
}

export interface OutboxLimiterOptions {
  /** The loaded adapters: each brings its channel's default rate. */
  adapters: ReadonlyMap<string, { readonly rateLimit: RateLimit }>;
  /** `Settings.channels`: a channel's `rateLimit` block overrides the adapter's. */
  settings?: Readonly<Record<string, Pick<ChannelSettings, 'rateLimit'>>>;
  log: Logger;
  /** Redis for limits shared across instances, e.g. `redis://127.0.0.1:6379/0`. */
  redisUrl?: string | null;
  /** Namespace of the Redis keys: instances that share limits use the same prefix. */
  prefix?: string;
}

/** Rate of a channel no adapter declares (only reached by misconfiguration): one send at a time, no spacing. */
const fallbackRate: RateLimit = { minTimeMs: 0, maxConcurrent: 1 };

/** Redis keys of an idle destination expire after this long, like bottleneck's own Group keys. */
const redisKeyTtlMs = 5 * 60_000;

type ChannelLimiters =
  | { kind: 'bottleneck'; group: Bottleneck.Group; channelWide: Bottleneck | null }
  | { kind: 'gate'; gate: ConcurrencyGate };

export function createOutboxLimiter(o: OutboxLimiterOptions): OutboxLimiter {
  const prefix = o.prefix ?? 'touchpoint';
  const redis = o.redisUrl ? connectRedis(o.redisUrl, o.log) : null;
  const channels = new Map<string, ChannelLimiters>();
  const holds = new Map<string, number>();

  function rateLimit(channel: string): RateLimit {
    const base = o.adapters.get(channel)?.rateLimit ?? fallbackRate;
    return mergeRateLimit(base, o.settings?.[channel]?.rateLimit);
  }

  function limitersFor(channel: string): ChannelLimiters {
    const existing = channels.get(channel);
    if (existing) return existing;
    const rate = rateLimit(channel);
    if (!redis && rate.minTimeMs === 0 && !rate.channelPerSecond) {
      const made: ChannelLimiters = { kind: 'gate', gate: createConcurrencyGate(rate.maxConcurrent) };
      channels.set(channel, made);
      return made;
    }
    // The rate is part of the id: instances share state only when they agree on
    // the rate, and a changed config starts clean instead of inheriting stale settings in Redis.
    const id = `${prefix}:${channel}:${rate.minTimeMs}:${rate.maxConcurrent}`;
    const shared = redis ? { datastore: 'ioredis', connection: redis.connection, timeout: redisKeyTtlMs } : {};
    const group = new Bottleneck.Group({ id, minTime: rate.minTimeMs, maxConcurrent: rate.maxConcurrent, ...shared });
    group.on('error', (err) => o.log.error({ err, channel }, 'rate limiter error'));
    let channelWide: Bottleneck | null = null;
    if (rate.channelPerSecond) {
      const minTime = Math.ceil(1000 / rate.channelPerSecond);
      channelWide = new Bottleneck({
        id: `${prefix}:${channel}:*:${minTime}`,
        minTime,
        maxConcurrent: null,
        ...shared,
      });
      channelWide.on('error', (err) => o.log.error({ err, channel }, 'channel rate limiter error'));
    }
    const made: ChannelLimiters = { kind: 'bottleneck', group, channelWide };
    channels.set(channel, made);
    return made;
  }

  // A bad rate (from code or config) fails here, at start, not on the first send.
  for (const channel of o.adapters.keys()) rateLimit(channel);

  const holdKey = (channel: string, destination: string) => `${prefix}:hold:${channel}:${destination}`;

  return {
    schedule(channel, destination, fn) {
      const limiters = limitersFor(channel);
      if (limiters.kind === 'gate') return limiters.gate.run(destination, fn);
      const { group, channelWide } = limiters;
      const run = channelWide ? () => channelWide.schedule(fn) : fn;
      return group.key(destination).schedule(run);
    },

    async holdOff(channel, destination, until, now) {
      const key = holdKey(channel, destination);
      const ms = Math.ceil(until - now);
      if (ms <= 0) return;
      if ((holds.get(key) ?? 0) < until) holds.set(key, until);
      if (holds.size > 1_000) for (const [k, t] of holds) if (t <= now) holds.delete(k);
      if (!redis) return;
      const current = Number((await redis.client.get(key)) ?? 0);
      if (current < until) await redis.client.set(key, String(until), 'PX', ms);
    },

    async heldUntil(channel, destination, now) {
      const key = holdKey(channel, destination);
      let until = holds.get(key) ?? 0;
      if (until <= now) holds.delete(key);
      if (redis) {
        try {
          until = Math.max(until, Number((await redis.client.get(key)) ?? 0));
        } catch (err) {
          // Without Redis only this instance's holds are known; the provider's next 429 restores the rest.
          o.log.warn({ err, channel }, 'could not read a destination hold from Redis');
        }
      }
      return until > now ? until : null;
    },

    rateLimit,

    async close() {
      // Limiters on the shared connection hold no clients of their own: closing it stops them all.
      channels.clear();
      await redis?.connection.disconnect(true);
    },
  };
}

function connectRedis(url: string, log: Logger): { client: Redis; connection: Bottleneck.IORedisConnection } {
  const client = new Redis(url, { maxRetriesPerRequest: 3 });
  const connection = new Bottleneck.IORedisConnection({ client, Redis });
  connection.on('error', (err) => log.error({ err }, 'redis connection of the rate limiter failed'));
  return { client, connection };
}
