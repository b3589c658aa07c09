import { describe, expect, it } from 'vitest';
import { laneWait, QUEUE_SHOWN_AFTER_MS, replyWait } from '../../src/outbox/queue-wait.ts';
import type { QueuedPosition } from '../../src/store/outbox-queue.ts';

/** How long a reply waits behind its sender's pace, as the desk and the dashboard show it. */
const now = 1_000_000;
const oneASecond = { minTimeMs: 1_000, maxConcurrent: 1 };
const position = (over: Partial<QueuedPosition> = {}): QueuedPosition => ({
  messageId: 'm1',
  channel: 'sms',
  destination: '+15550001',
  dueAt: now,
  aheadInLane: 0,
  aheadInChannel: 0,
  ...over,
});

describe('a queued reply’s wait', () => {
  it('is not shown when there is no queued reply, or when it leaves within the threshold', () => {
    expect(replyWait(null, oneASecond, now)).toBeNull();
    expect(replyWait(position({ aheadInLane: 3 }), oneASecond, now)).toBeNull();
    expect(replyWait(position(), { minTimeMs: 0, maxConcurrent: 1 }, now)).toBeNull();
  });

  it('counts one spacing per reply ahead in its lane, plus the one that may have just left', () => {
    const ahead = QUEUE_SHOWN_AFTER_MS / 1_000 - 1; // exactly the threshold: shown
    expect(replyWait(position({ aheadInLane: ahead }), oneASecond, now)).toEqual({
      ...position({ aheadInLane: ahead }),
      perSecond: 1,
      expectedAt: now + QUEUE_SHOWN_AFTER_MS,
    });
    expect(replyWait(position({ aheadInLane: ahead - 1 }), oneASecond, now)).toBeNull();
  });

  it('waits from its due time when that is later than now, and from now when it is overdue', () => {
    const later = replyWait(position({ dueAt: now + 60_000, aheadInLane: 1 }), oneASecond, now);
    expect(later?.expectedAt).toBe(now + 62_000);
    const overdue = replyWait(position({ dueAt: now - 60_000, aheadInLane: 19 }), oneASecond, now);
    expect(overdue?.expectedAt).toBe(now + 20_000);
  });

  it('is held to the channel-wide cap when that is slower than the lane’s spacing', () => {
    const capped = { minTimeMs: 100, maxConcurrent: 1, channelPerSecond: 2 };
    const w = replyWait(position({ aheadInLane: 1, aheadInChannel: 39 }), capped, now);
    expect(w).toMatchObject({ perSecond: 10, expectedAt: now + 20_000 });
    // The lane's spacing wins when it is the slower of the two.
    const lane = replyWait(position({ aheadInLane: 199, aheadInChannel: 1 }), capped, now);
    expect(lane?.expectedAt).toBe(now + 20_000);
  });
});

describe('a lane’s wait', () => {
  const lane = { channel: 'sms', destination: '+15550001', waiting: 30, oldestDueAt: now - 5_000 };

  it('drains one spacing per waiting reply from now, or from its oldest due time if later', () => {
    expect(laneWait(lane, oneASecond, now, 30)).toEqual({ ...lane, perSecond: 1, drainedAt: now + 30_000 });
    expect(laneWait({ ...lane, oldestDueAt: now + 5_000 }, oneASecond, now, 30).drainedAt).toBe(now + 35_000);
  });

  it('counts the replies of the whole channel against a channel-wide cap', () => {
    const capped = { minTimeMs: 0, maxConcurrent: 1, channelPerSecond: 4 };
    const w = laneWait(lane, capped, now, 100);
    expect(w.perSecond).toBe(Number.POSITIVE_INFINITY);
    expect(w.drainedAt).toBe(now + 25_000);
  });
});
