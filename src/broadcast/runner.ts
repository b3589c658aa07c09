import type { Clock } from '../clock.ts';
import type { Logger } from '../log.ts';
import type { Broadcast, BroadcastStatus, Recipient } from '../store/broadcast-records.ts';
import type { Store } from '../store/contract.ts';
import { createDueLoop, type RoundResult } from '../timers/due-loop.ts';
import { type SummaryEvent, scheduleSummary } from './desk-summary.ts';
import { expandBatch } from './expand.ts';
import { type SendDeps, type SendOutcome, sendToRecipient } from './send-one.ts';

export interface BroadcastRunnerOptions {
  store: Store;
  clock: Clock;
  log: Logger;
  /** Unique per process: one instance at a time runs the broadcasts (a named lock in the store). */
  owner: string;
  /** The config in force at each round. */
  deps: () => SendDeps;
  batchSize: number;
  /** Messages of one broadcast waiting in the outbox at most. */
  window: number;
  pollMs: number;
  /** Messages were queued: the outbox should look now. */
  onQueued: () => void;
  /** A status change scheduled the desk's summary (desk-summary.ts): the timers should look now. */
  onTimers: () => void;
}

export interface BroadcastRunner {
  start(): void;
  stop(): Promise<void>;
  /** A broadcast was created or resumed: look now. */
  kick(): void;
  /** One round (tests). */
  round(): Promise<RoundResult>;
}

const LOCK = 'broadcasts';
/**
 * Recipients decided in one transaction: one commit for many keeps a large
 * broadcast from spending its time on commits, and a batch stays short enough
 * not to hold the store's writer up for long.
 */
const PER_TRANSACTION = 10;

/**
 * Runs due broadcasts: expands each segment batch by batch, then keeps up to
 * `window` of its messages in the outbox, where the outbox limiter paces them
 * per destination (across instances with Redis). Keeping the outbox short
 * keeps a pause or cancel prompt: everything beyond the window is still a
 * pending recipient, checked again when its turn comes.
 */
export function createBroadcastRunner(o: BroadcastRunnerOptions): BroadcastRunner {
  const lockMs = Math.max(30_000, o.pollMs * 4);
  /** Until when the lock is surely ours: it is renewed (a write) only once half of it has run. */
  let lockedUntil = 0;
  const loop = createDueLoop({
    clock: o.clock,
    log: o.log,
    name: 'broadcasts',
    round,
    nextDueAt: async () => null,
    pollMs: o.pollMs,
  });

  async function round(): Promise<RoundResult> {
    const now = o.clock.now();
    const active = await o.store.activeBroadcasts(now);
    if (active.length === 0) return { claimed: 0, full: false };
    if (now >= lockedUntil - lockMs / 2) {
      if (!(await o.store.acquireLock(LOCK, o.owner, now, lockMs))) return { claimed: 0, full: false };
      lockedUntil = now + lockMs;
    }
    let claimed = 0;
    let full = false;
    for (const b of active) {
      const r = await advance(b);
      claimed += r.claimed;
      full ||= r.full;
    }
    return { claimed, full };
  }

  async function advance(b: Broadcast): Promise<RoundResult> {
    const now = o.clock.now();
    if (b.status === 'scheduled') {
      if (!(await move(b, 'scheduled', 'running', 'started', now))) return { claimed: 0, full: false };
      o.log.info({ broadcastId: b.id, name: b.name }, 'broadcast started');
    }
    let expanding = false;
    if (!b.expanded) expanding = !(await expandBatch(o.store, b.id, o.batchSize, now));
    const room = o.window - (await o.store.broadcastInFlight(b.id));
    let queued = 0;
    let taken = 0;
    if (room > 0) {
      const due = await o.store.dueRecipients(b.id, now, Math.min(room, o.batchSize));
      const deps = o.deps();
      for (let i = 0; i < due.length; i += PER_TRANSACTION) {
        const before = queued;
        for (const outcome of await decide(b, due.slice(i, i + PER_TRANSACTION), deps)) {
          if (outcome === 'queued') queued++;
          taken++;
        }
        // The outbox starts on each batch as it commits, not after the whole round.
        if (queued > before) o.onQueued();
        // SQLite answers synchronously: without a turn of the event loop between batches, a round
        // would hold up every timer, and the sends the limiter has planned would start late.
        await new Promise<void>((resolve) => setImmediate(resolve));
      }
      if (taken === 0 && !expanding) await finishIfDone(b);
      if (taken === due.length && due.length === Math.min(room, o.batchSize) && taken > 0)
        return { claimed: taken, full: true };
    }
    return { claimed: taken, full: expanding };
  }

  /**
   * Recipients' turns, in one transaction. Should it fail, each is tried alone,
   * so one recipient whose send keeps failing holds up only itself.
   */
  async function decide(b: Broadcast, batch: Recipient[], deps: SendDeps): Promise<SendOutcome[]> {
    try {
      return await o.store.transaction(async (tx) => {
        const outcomes: SendOutcome[] = [];
        for (const r of batch) outcomes.push(await sendToRecipient(tx, b, r, deps, o.clock.now()));
        return outcomes;
      });
    } catch (err) {
      o.log.warn(
        { err, broadcastId: b.id, recipients: batch.length },
        'a batch of recipients failed; trying each alone',
      );
    }
    const outcomes: SendOutcome[] = [];
    for (const r of batch) {
      try {
        outcomes.push(await o.store.transaction((tx) => sendToRecipient(tx, b, r, deps, o.clock.now())));
      } catch (err) {
        o.log.error(
          { err, broadcastId: b.id, recipientId: r.id },
          'a recipient could not be sent to; tried again later',
        );
      }
    }
    return outcomes;
  }

  /** A status change with the desk's summary of it, in one transaction: false when another got there first. */
  async function move(b: Broadcast, from: BroadcastStatus, to: BroadcastStatus, event: SummaryEvent, now: number) {
    const moved = await o.store.transaction(async (tx) => {
      if (!(await tx.setBroadcastStatus(b.id, [from], to, now))) return false;
      await scheduleSummary(tx, b.id, event, now);
      return true;
    });
    if (moved) o.onTimers();
    return moved;
  }

  /** Done once every recipient is settled and none of its messages waits in the outbox. */
  async function finishIfDone(b: Broadcast): Promise<void> {
    const fresh = await o.store.getBroadcast(b.id);
    if (!fresh?.expanded) return;
    const p = await o.store.broadcastProgress(b.id);
    if (p.pending > 0 || p.waiting > 0) return;
    if (await move(b, 'running', 'done', 'done', o.clock.now())) {
      o.log.info({ broadcastId: b.id, name: b.name, ...p }, 'broadcast done');
    }
  }

  return {
    start: loop.start,
    async stop() {
      await loop.stop();
      await o.store.releaseLock(LOCK, o.owner);
    },
    kick: loop.kick,
    round: loop.round,
  };
}
