import Bottleneck from 'bottleneck';
import type { RateLimit } from '../channel/contract.ts';
import { type Clock, systemClock } from '../clock.ts';
import { HeldError, type HoldScope } from '../errors.ts';
import type { Logger } from '../log.ts';
import type { ChannelSettings } from '../settings/types.ts';
import { type ConcurrencyGate, createConcurrencyGate } from './concurrency-gate.ts';
import { mergeRateLimit } from './rate-limit.ts';
import { whenWritten } from './request-written.ts';
import { createSendWindow, type SendWindow } from './send-window.ts';
import { connectSharedHolds } from './shared-holds.ts';

/**
 * Sending rates, per channel and destination. Every send waits for a slot of
 * its destination (at most `maxConcurrent` in flight in this instance), then,
 * when the channel has a pace to keep (spacing, a channel-wide cap), for
 * bottleneck: one Group per channel keyed by destination, plus a channel-wide
 * limiter. With a Redis URL those are clustered, so a pace holds across all
 * router instances sharing that Redis; a channel with no pace never asks Redis
 * before a send.
 *
 * A hold (the provider's Retry-After) stops the destination, or the whole
 * channel when the provider's limit is account-wide: sends still waiting for
 * a slot are turned away at once, and a send whose turn comes during a hold
 * does not run. Both reject with HeldError, so the outbox puts the rows back
 * until the hold ends, when they come back at the limiter's pace. Holds reach
 * the other instances through Redis (src/outbox/shared-holds.ts): announced at
 * once, and read again before each send of a paced channel, whose turn asks
 * Redis anyway.
 */
export interface OutboxLimiter {
  /**
   * Runs `fn` once the channel's and the destination's rates allow it; jobs of one destination
   * start in call order. Rejects with HeldError, without running `fn`, when a hold covers the
   * destination before `fn` starts. `ready` runs once the job is among the destination's
   * `maxConcurrent` next, before it waits for the pace (so its time does not eat into the
   * spacing the provider sees); its rejection rejects the job.
   */
  schedule<T>(channel: string, destination: string, fn: () => Promise<T>, ready?: () => Promise<void>): Promise<T>;
  /**
   * A provider said to wait: nothing should go to this destination (with scope `account`: to
   * any destination of the channel) before `until`. Times come from the caller's clock.
   */
  holdOff(channel: string, destination: string, until: number, now: number, scope?: HoldScope): Promise<void>;
  /** The instant before which this destination must not be sent to, or null when it is free at `now`. */
  heldUntil(channel: string, destination: string, now: number): Promise<number | null>;
  /** The effective rate of a channel: the adapter's, with the config's override applied. */
  rateLimit(channel: string): RateLimit;
  /** Resolves once the holds other instances set are known here (at once without Redis). */
  ready(): Promise<void>;
  /** Disconnects from Redis (when clustered). Jobs already scheduled still run. */
  close(): Promise<void>;
}

export interface OutboxLimiterOptions {
  /** The loaded adapters: each brings its channel's default rate. */
  adapters: ReadonlyMap<string, { readonly rateLimit: RateLimit }>;
  /** `Settings.channels`: a channel's `rateLimit` block overrides the adapter's. */
  settings?: Readonly<Record<string, Pick<ChannelSettings, 'rateLimit'>>>;
  log: Logger;
  /** Whose time holds are read by when a send's turn comes (the callers' clock). */
  clock?: Clock;
  /** Redis for limits shared across instances, e.g. `redis://127.0.0.1:6379/0`. */
  redisUrl?: string | null;
  /** Namespace of the Redis keys: instances that share limits use the same prefix. */
  prefix?: string;
}

/** Rate of a channel no adapter declares (only reached by misconfiguration): one send at a time, no spacing. */
const fallbackRate: RateLimit = { minTimeMs: 0, maxConcurrent: 1 };

/** Bottleneck's Redis keys of an idle destination expire after this long, like its own Group keys. */
const redisKeyTtlMs = 5 * 60_000;

/**
 * Added to the one-second window of a destination's sends, counted from when each was admitted: the
 * request reaches the provider a few milliseconds later, and not always the same few.
 */
const WINDOW_SLACK_MS = 40;
/** Added to the one-second window counted from when each request was written: the network's share of those. */
const WRITTEN_SLACK_MS = 20;

/** Stands for every destination of a channel in the holds (no destination is empty). */
const ALL = '';

interface ChannelLimiters {
  gate: ConcurrencyGate;
  /** Null when the gate alone keeps the rate (no pace). */
  paced: { group: Bottleneck.Group; channelWide: Bottleneck | null; window: SendWindow | null } | null;
}

export function createOutboxLimiter(o: OutboxLimiterOptions): OutboxLimiter {
  const prefix = o.prefix ?? 'touchpoint';
  const clock = o.clock ?? systemClock;
  const channels = new Map<string, ChannelLimiters>();
  /** Holds known here, by channel and destination (ALL for the channel's account). */
  const holds = new Map<string, Map<string, number>>();
  const redis = o.redisUrl
    ? connectSharedHolds({
        url: o.redisUrl,
        prefix,
        log: o.log,
        onHold: (channel, target, until) => holdLocally(channel, target, until, clock.now()),
      })
    : null;

  function rateLimit(channel: string): RateLimit {
    const base = o.adapters.get(channel)?.rateLimit ?? fallbackRate;
    return mergeRateLimit(base, o.settings?.[channel]?.rateLimit);
  }

  function limitersFor(channel: string): ChannelLimiters {
    const existing = channels.get(channel);
    if (existing) return existing;
    const rate = rateLimit(channel);
    const gate = createConcurrencyGate(rate.maxConcurrent);
    if (rate.minTimeMs === 0 && !rate.channelPerSecond) {
      const made: ChannelLimiters = { gate, paced: null };
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
    // A destination's pace as sends per second, kept by when they really start (send-window.ts).
    const window =
      rate.minTimeMs > 0
        ? createSendWindow({
            perWindow: Math.max(1, Math.round(1000 / rate.minTimeMs)),
            windowMs: 1000 + WINDOW_SLACK_MS,
            writtenWindowMs: 1000 + WRITTEN_SLACK_MS,
          })
        : null;
    const made: ChannelLimiters = { gate, paced: { group, channelWide, window } };
    channels.set(channel, made);
    return made;
  }

  // A bad rate (from code or config) fails here, at start, not on the first send.
  for (const channel of o.adapters.keys()) rateLimit(channel);

  /** Records a hold here and turns away the sends waiting for it. */
  function holdLocally(channel: string, destination: string, until: number, now: number): void {
    let byDest = holds.get(channel);
    if (!byDest) {
      byDest = new Map();
      holds.set(channel, byDest);
    }
    if ((byDest.get(destination) ?? 0) >= until) return;
    byDest.set(destination, until);
    if (byDest.size > 1_000) for (const [k, t] of byDest) if (t <= now) byDest.delete(k);
    channels.get(channel)?.gate.turnAway(
      (key) => destination === ALL || key === destination,
      (key) => new HeldError(channel, key, until),
    );
  }

  /** The later of the destination's and the account's hold known here, if still running at `now`. */
  function localHold(channel: string, destination: string, now: number): number | null {
    const byDest = holds.get(channel);
    if (!byDest) return null;
    const until = Math.max(byDest.get(destination) ?? 0, byDest.get(ALL) ?? 0);
    return until > now ? until : null;
  }

  /** Asks Redis, for a paced channel only: an unpaced one learns holds from their announcements. */
  async function sharedHold(channel: string, destination: string, now: number): Promise<number | null> {
    if (!redis || limitersFor(channel).paced === null) return null;
    try {
      const [dest, all] = await redis.read(channel, destination);
      const until = Math.max(dest, all);
      if (until <= now) return null;
      // Learnt from another instance: the sends waiting here are turned away too.
      holdLocally(channel, all === until ? ALL : destination, until, now);
      return until;
    } catch (err) {
      // Without Redis only this instance's holds are known; the provider's next 429 restores the rest.
      o.log.warn({ err, channel }, 'could not read a destination hold from Redis');
      return null;
    }
  }

  /** Throws HeldError when a hold covers the destination now: the last look before `fn` runs. */
  async function checkTurn(channel: string, destination: string): Promise<void> {
    const now = clock.now();
    const until = localHold(channel, destination, now) ?? (await sharedHold(channel, destination, now));
    if (until !== null) throw new HeldError(channel, destination, until);
  }

  return {
    schedule(channel, destination, fn, ready) {
      const { gate, paced } = limitersFor(channel);
      const turn = async () => {
        const admitted = await paced?.window?.admit(destination);
        try {
          await checkTurn(channel, destination);
          return await (admitted ? whenWritten(admitted.written, fn) : fn());
        } finally {
          admitted?.settled();
        }
      };
      return gate.run(destination, async () => {
        if (ready) {
          const held = localHold(channel, destination, clock.now());
          if (held !== null) throw new HeldError(channel, destination, held);
          await ready();
        }
        if (!paced) return turn();
        const { group, channelWide } = paced;
        return group.key(destination).schedule(channelWide ? () => channelWide.schedule(turn) : turn);
      });
    },

    async holdOff(channel, destination, until, now, scope = 'destination') {
      const target = scope === 'account' ? ALL : destination;
      const ms = Math.ceil(until - now);
      if (ms <= 0) return;
      holdLocally(channel, target, until, now);
      await redis?.publish(channel, target, until, ms);
    },

    async heldUntil(channel, destination, now) {
      const here = localHold(channel, destination, now);
      const shared = await sharedHold(channel, destination, now);
      return here === null && shared === null ? null : Math.max(here ?? 0, shared ?? 0);
    },

    rateLimit,

    ready: () => redis?.ready ?? Promise.resolve(),

    async close() {
      // Limiters on the shared connection hold no clients of their own: closing it stops them all.
      channels.clear();
      await redis?.close();
    },
  };
}
