import type { Clock } from '../clock.ts';
import type { Logger } from '../log.ts';
import { type Backoff, type BackoffOptions, toBackoff } from '../retry/backoff.ts';
import type { Store } from '../store/contract.ts';
import type { WebhookDelivery } from '../store/webhook-deliveries.ts';
import { createDueLoop, type RoundResult } from '../timers/due-loop.ts';
import { postDelivery, type Receiver } from './post.ts';

/**
 * Sends the webhooks out: claims due deliveries with a lease, POSTs each
 * signed, and records the outcome; a failure (an error status, no answer in
 * time) is retried with backoff until `maxAttempts`, then dead-lettered.
 * Deliveries to one receiver about one conversation go one at a time in the
 * order they were written: a later one waits while an earlier one is pending.
 */
export interface WebhookSenderOptions {
  store: Store;
  clock: Clock;
  log: Logger;
  owner: string;
  leaseMs: number;
  timeoutMs: number;
  maxAttempts: number;
  backoff: Backoff | BackoffOptions;
  concurrency: number;
  /** The receiver of a subscription in force, or null when it is no longer configured. */
  receiver: (subscription: string) => Receiver | null;
  pollMs?: number;
}

export interface WebhookSender {
  start(): void;
  stop(): Promise<void>;
  kick(): void;
  /** Rounds until nothing due is left (tests). */
  drain(): Promise<void>;
}

/** The longest pause a receiver's Retry-After may ask for. */
const MAX_RETRY_AFTER_MS = 3_600_000;

export function createWebhookSender(o: WebhookSenderOptions): WebhookSender {
  const queue = o.store.webhooks;
  const backoff = toBackoff(o.backoff);
  const lanes = new Map<string, { queue: WebhookDelivery[]; done: Promise<void> }>();
  const inflight = new Set<string>();
  let stopping = false;

  const loop = createDueLoop({
    clock: o.clock,
    log: o.log,
    name: 'webhooks',
    round,
    nextDueAt: () => queue.nextDueAt(),
    ...(o.pollMs ? { pollMs: o.pollMs } : {}),
  });

  async function round(): Promise<RoundResult> {
    const limit = o.concurrency - inflight.size;
    if (stopping || limit <= 0) return { claimed: 0, full: false };
    const claimed = await queue.claim({ owner: o.owner, now: o.clock.now(), leaseMs: o.leaseMs, limit });
    // In id order within a lane: ids sort by creation, the order the events happened.
    for (const d of claimed.sort((a, b) => (a.id < b.id ? -1 : 1))) dispatch(d);
    return { claimed: claimed.length, full: claimed.length >= limit };
  }

  function dispatch(d: WebhookDelivery): void {
    if (inflight.has(d.id)) return;
    inflight.add(d.id);
    const key = `${d.subscription}\u0000${d.orderKey}`;
    const lane = lanes.get(key);
    if (lane) {
      lane.queue.push(d);
      return;
    }
    const fresh = { queue: [d], done: Promise.resolve() };
    lanes.set(key, fresh);
    fresh.done = runLane(key, fresh.queue);
  }

  async function runLane(key: string, waiting: WebhookDelivery[]): Promise<void> {
    for (let d = waiting.shift(); d && !stopping; d = waiting.shift()) {
      try {
        await handle(d);
      } catch (err) {
        o.log.error({ err, deliveryId: d.id }, 'recording a webhook outcome failed; it is retried after its lease');
      } finally {
        inflight.delete(d.id);
      }
    }
    for (const left of waiting) inflight.delete(left.id);
    lanes.delete(key);
    loop.kick();
  }

  async function handle(d: WebhookDelivery): Promise<void> {
    const now = o.clock.now();
    const receiver = o.receiver(d.subscription);
    if (!receiver) {
      await queue.dead(d.id, `subscription "${d.subscription}" is no longer in router.yaml webhooks`, now);
      return;
    }
    const before = await queue.waitingBefore(d);
    if (before !== null) {
      // Not an attempt: it goes after the earlier event, whenever that one does.
      await queue.reschedule(d.id, Math.max(before, now + 1), null, false);
      loop.wakeAt(Math.max(before, now + 1));
      return;
    }
    const outcome = await postDelivery(receiver, d, o.timeoutMs);
    const after = o.clock.now();
    const fields = { deliveryId: d.id, subscription: d.subscription, event: d.eventType, attempt: d.attempts + 1 };
    if (outcome.ok) {
      await queue.delivered(d.id, after);
      o.log.debug({ ...fields, status: outcome.status }, 'webhook delivered');
      return;
    }
    if (d.attempts + 1 >= o.maxAttempts) {
      await queue.dead(d.id, outcome.error, after);
      o.log.warn({ ...fields, error: outcome.error }, 'webhook dead-lettered: every attempt failed');
      return;
    }
    const wait = Math.min(outcome.retryAfterMs ?? backoff(d.attempts + 1), MAX_RETRY_AFTER_MS);
    await queue.reschedule(d.id, after + wait, outcome.error, true);
    loop.wakeAt(after + wait);
    o.log.info({ ...fields, error: outcome.error, retryInMs: wait }, 'webhook failed; retrying');
  }

  async function settle(): Promise<void> {
    while (lanes.size > 0) await Promise.all([...lanes.values()].map((l) => l.done));
  }

  return {
    start: () => loop.start(),
    async stop() {
      stopping = true;
      await loop.stop();
      await settle();
      await queue.releaseLeases(o.owner);
    },
    kick: loop.kick,
    async drain() {
      for (let i = 0; i < 1_000; i++) {
        const { claimed } = await loop.round();
        await settle();
        if (claimed === 0) return;
      }
      throw new Error('webhook deliveries still due after 1000 rounds');
    },
  };
}
