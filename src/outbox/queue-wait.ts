import type { QueuedReply, RateLimit } from '../channel/contract.ts';
import type { OutboxLane, QueuedPosition } from '../store/outbox-queue.ts';

/**
 * How long replies wait behind a sender's pace (a US long code sends one SMS
 * a second: 4,000 replies take over an hour). Estimated from the rows ahead
 * and the channel's rate; only the pace is known ahead of time, so provider
 * latency and retries are left out.
 */

/** A reply expected within this long is not "queued" from an agent's point of view. */
export const QUEUE_SHOWN_AFTER_MS = 10_000;

export type { QueuedReply };

export interface LaneWait extends OutboxLane {
  perSecond: number;
  /** When the last reply waiting now is expected out. */
  drainedAt: number;
}

const perSecond = (rate: RateLimit) => (rate.minTimeMs > 0 ? 1000 / rate.minTimeMs : Number.POSITIVE_INFINITY);

/**
 * The later of the lane's spacing and the channel-wide cap, for `ahead` sends before this one,
 * counting one spacing for the send that may have just left (an upper bound by at most one step).
 */
function waitMs(rate: RateLimit, aheadInLane: number, aheadInChannel: number): number {
  const lane = (aheadInLane + 1) * rate.minTimeMs;
  const channel = rate.channelPerSecond ? ((aheadInChannel + 1) * 1000) / rate.channelPerSecond : 0;
  return Math.max(lane, channel);
}

/** The reply's expected send time, or null when it leaves soon enough not to mention. */
export function replyWait(p: QueuedPosition | null, rate: RateLimit, now: number): QueuedReply | null {
  if (!p) return null;
  const expectedAt = Math.max(p.dueAt, now) + waitMs(rate, p.aheadInLane, p.aheadInChannel);
  if (expectedAt - now < QUEUE_SHOWN_AFTER_MS) return null;
  return { ...p, perSecond: perSecond(rate), expectedAt };
}

/** `inChannel`: replies waiting in the lane's whole channel (what a channel-wide cap spaces out). */
export function laneWait(lane: OutboxLane, rate: RateLimit, now: number, inChannel: number): LaneWait {
  return {
    ...lane,
    perSecond: perSecond(rate),
    drainedAt: Math.max(lane.oldestDueAt, now) + waitMs(rate, lane.waiting - 1, inChannel - 1),
  };
}
