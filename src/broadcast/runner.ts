import type { Clock } from '../clock.ts';
import type { Logger } from '../log.ts';
import type { Broadcast } from '../store/broadcast-records.ts';
import type { Store } from '../store/contract.ts';
import { createDueLoop, type RoundResult } from '../timers/due-loop.ts';
import { expandBatch } from './expand.ts';
import { type SendDeps, sendToRecipient } from './send-one.ts';

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
 * Runs due broadcasts: expands each segment batch by batch, then keeps up to
 * `window` of its messages in the outbox, where the outbox limiter paces them
 * per destination (across instances with Redis). Keeping the outbox short
 * keeps a pause or cancel prompt: everything beyond the window is still a
 * pending recipient, checked again when its turn comes.
 */
export function createBroadcastRunner(o: BroadcastRunnerOptions): BroadcastRunner {
  const lockMs = Math.max(30_000, o.pollMs * 4);
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
    if (!(await o.store.acquireLock(LOCK, o.owner, now, lockMs))) return { claimed: 0, full: false };
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
      if (!(await o.store.setBroadcastStatus(b.id, ['scheduled'], 'running', now))) return { claimed: 0, full: false };
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
      for (const r of due) {
        const outcome = await o.store.transaction((tx) => sendToRecipient(tx, b, r, deps, o.clock.now()));
        if (outcome === 'queued') queued++;
        taken++;
      }
      if (queued > 0) o.onQueued();
      if (taken === 0 && !expanding) await finishIfDone(b);
      if (taken === due.length && due.length === Math.min(room, o.batchSize) && taken > 0)
        return { claimed: taken, full: true };
    }
    return { claimed: taken, full: expanding };
  }

  /** Done once every recipient is settled and none of its messages waits in the outbox. */
  async function finishIfDone(b: Broadcast): Promise<void> {
    const fresh = await o.store.getBroadcast(b.id);
    if (!fresh?.expanded) return;
    const p = await o.store.broadcastProgress(b.id);
    if (p.pending > 0 || p.waiting > 0) return;
    if (await o.store.setBroadcastStatus(b.id, ['running'], 'done', o.clock.now())) {
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
