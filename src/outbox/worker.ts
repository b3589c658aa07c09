import type { ChannelAdapter, SendResult } from '../channel/contract.ts';
import type { Clock } from '../clock.ts';
import { asSendError, type SendError } from '../errors.ts';
import type { Logger } from '../log.ts';
import type { OutboundMessage } from '../model/types.ts';
import type { OutboxJob, Store } from '../store/contract.ts';
import { createDueLoop, type RoundResult } from '../timers/due-loop.ts';
import type { Backoff } from './backoff.ts';
import type { OutboxLimiter } from './limiter.ts';
import { buildOutbound, describeSendError } from './outbound-message.ts';

/**
 * The sending side of the transactional outbox: claims due rows with a lease,
 * sends each through the rate limiter and its channel's adapter, and records
 * the outcome. Rows of one destination go one at a time, in due order; after a
 * failure the destination is held, so later rows wait behind the retry.
 */
export interface OutboxWorkerOptions {
  store: Store;
  adapters: ReadonlyMap<string, ChannelAdapter>;
  limiter: OutboxLimiter;
  clock: Clock;
  log: Logger;
  /** Lease owner: unique per process, so leases of a dead process are told apart. */
  owner: string;
  /** Sends start only with at least half the lease left, so a send must finish within leaseMs / 2. */
  leaseMs: number;
  /** Send attempts (transient failures) before a row is dead-lettered; rate limits do not count. */
  maxAttempts: number;
  backoff: Backoff;
  /** Rows in hand at once, across all channels. */
  concurrency: number;
  /** Wait after a rate limit that named no Retry-After. */
  rateLimitWaitMs?: number;
  /** Longest sleep between looks at the store (rows written by other processes). */
  pollMs?: number;
  onDelivered?: (job: OutboxJob, result: SendResult) => void | Promise<void>;
  onDeadLetter?: (job: OutboxJob, reason: string) => void | Promise<void>;
}

export interface OutboxWorker {
  start(): void;
  /** Stops claiming, waits for sends already under way, and releases this owner's leases. */
  stop(): Promise<void>;
  /** New rows were committed: look now. */
  kick(): void;
  /** One round: claims what is due and resolves once those rows are handled. Returns how many were claimed. */
  tick(): Promise<number>;
  /** Rounds until nothing due is left. */
  drain(): Promise<void>;
}

interface Claimed {
  job: OutboxJob;
  leaseEnd: number;
}

interface Lane {
  queue: Claimed[];
  done: Promise<void>;
}

type Attempt =
  | { kind: 'sent'; result: SendResult }
  | { kind: 'failed'; error: SendError }
  | { kind: 'limiter-failed'; error: unknown }
  | { kind: 'skipped'; reason: 'stopping' | 'lease' };

/** Floor of a rate-limit wait: a provider answering "retry after 0" must not make us spin. */
const minRateLimitWaitMs = 1_000;
const maxDrainRounds = 1_000;

export function createOutboxWorker(o: OutboxWorkerOptions): OutboxWorker {
  if (!(o.leaseMs > 0)) throw new RangeError(`outbox leaseMs must be above 0, got ${o.leaseMs}`);
  if (!(o.maxAttempts >= 1)) throw new RangeError(`outbox maxAttempts must be 1 or more, got ${o.maxAttempts}`);
  if (!(o.concurrency >= 1)) throw new RangeError(`outbox concurrency must be 1 or more, got ${o.concurrency}`);
  const rateLimitWaitMs = o.rateLimitWaitMs ?? 30_000;
  const inflight = new Map<string, Claimed>();
  const lanes = new Map<string, Lane>();
  /** Per held lane: rows deferred behind the hold get due times after it, in the order they were met. */
  const deferrals = new Map<string, { until: number; n: number }>();
  let stopping = false;
  let stopDone: Promise<void> | null = null;
  let starved = false;
  let signalStop: () => void = () => {};
  const stopped = new Promise<void>((resolve) => {
    signalStop = resolve;
  });

  const loop = createDueLoop({
    clock: o.clock,
    log: o.log,
    name: 'outbox',
    round,
    nextDueAt: () => o.store.nextDueAt(),
    ...(o.pollMs ? { pollMs: o.pollMs } : {}),
  });

  async function round(): Promise<RoundResult> {
    if (stopping) return { claimed: 0, full: false };
    const limit = o.concurrency - inflight.size;
    if (limit <= 0) {
      starved = true;
      return { claimed: 0, full: false };
    }
    const now = o.clock.now();
    const jobs = await o.store.claimOutbox({ owner: o.owner, now, leaseMs: o.leaseMs, limit });
    for (const job of jobs) dispatch(job, now + o.leaseMs);
    if (jobs.length >= limit) starved = true;
    return { claimed: jobs.length, full: jobs.length >= limit };
  }

  function dispatch(job: OutboxJob, leaseEnd: number): void {
    const mine = inflight.get(job.id);
    if (mine) {
      // Claimed again after its lease ran out while it waited here: the new lease is ours too.
      mine.leaseEnd = leaseEnd;
      return;
    }
    const entry = { job, leaseEnd };
    inflight.set(job.id, entry);
    const key = laneKey(job);
    const lane = lanes.get(key);
    if (lane) {
      lane.queue.push(entry);
      return;
    }
    const fresh: Lane = { queue: [entry], done: Promise.resolve() };
    lanes.set(key, fresh);
    fresh.done = runLane(key, fresh);
  }

  async function runLane(key: string, lane: Lane): Promise<void> {
    while (!stopping) {
      const entry = lane.queue.shift();
      if (!entry) break;
      try {
        if ((await handle(entry)) === 'lease-short') await putBack([entry, ...lane.queue.splice(0)]);
      } catch (err) {
        o.log.error({ err, jobId: entry.job.id }, 'recording an outbox outcome failed; the row is retried after its lease');
      } finally {
        inflight.delete(entry.job.id);
        if (starved) {
          starved = false;
          loop.kick();
        }
      }
    }
    // When stopping, rows still queued stay leased until stop() releases them.
    for (const left of lane.queue) inflight.delete(left.job.id);
    lanes.delete(key);
  }

  async function handle(entry: Claimed): Promise<'done' | 'lease-short'> {
    const { job } = entry;
    const adapter = o.adapters.get(job.channel);
    if (!adapter) {
      await dead(job, `no adapter is loaded for channel "${job.channel}": enable the channel, then retry the dead letter`);
      return 'done';
    }
    const held = await heldUntil(job);
    if (held !== null) {
      await defer(job, held);
      return 'done';
    }
    const loaded = await o.store.loadOutbound(job);
    if (!loaded) {
      await dead(job, 'its message or conversation no longer exists');
      return 'done';
    }
    if (loaded.message.visibility === 'internal') {
      await dead(job, 'the message is an internal note, which is never sent to the customer');
      return 'done';
    }
    const attempt = await send(entry, adapter, buildOutbound(job, loaded));
    switch (attempt.kind) {
      case 'skipped':
        return attempt.reason === 'lease' ? 'lease-short' : 'done';
      case 'sent':
        await o.store.markSent(job.id, attempt.result?.providerId ?? null, attempt.result?.status ?? 'sent', o.clock.now());
        notify('onDelivered', () => o.onDelivered?.(job, attempt.result));
        return 'done';
      case 'failed':
        await recordFailure(job, attempt.error);
        return 'done';
      case 'limiter-failed': {
        // Not the message's fault (Redis unreachable): wait, without spending an attempt.
        o.log.error({ err: attempt.error, jobId: job.id }, 'rate limiter failed; the send is retried');
        await reschedule(job, o.clock.now() + o.backoff(job.attempts + 1), 'rate limiter unavailable', false);
        return 'done';
      }
    }
  }

  /**
   * Waits for the limiter, then sends, unless the worker stops first or the
   * lease ran short meanwhile: a send starts only with half the lease left,
   * so no other worker can claim the row while it is under way.
   */
  function send(entry: Claimed, adapter: ChannelAdapter, message: OutboundMessage): Promise<Attempt> {
    let started = false;
    const attempt = o.limiter
      .schedule(entry.job.channel, entry.job.destination, async (): Promise<Attempt> => {
        if (stopping) return { kind: 'skipped', reason: 'stopping' };
        if (o.clock.now() > entry.leaseEnd - o.leaseMs / 2) return { kind: 'skipped', reason: 'lease' };
        started = true;
        try {
          return { kind: 'sent', result: await adapter.send(message) };
        } catch (err) {
          return { kind: 'failed', error: asSendError(err) };
        }
      })
      .catch((error: unknown): Attempt => ({ kind: 'limiter-failed', error }));
    // On stop, a send still waiting for the limiter is abandoned (it sees `stopping` when its turn comes).
    const abandon = stopped.then((): Attempt | Promise<Attempt> => (started ? attempt : { kind: 'skipped', reason: 'stopping' }));
    return Promise.race([attempt, abandon]);
  }

  async function recordFailure(job: OutboxJob, error: SendError): Promise<void> {
    const now = o.clock.now();
    const text = describeSendError(error);
    if (error.failure === 'permanent') return dead(job, text);
    if (error.failure === 'rate_limited') {
      const until = now + Math.max(minRateLimitWaitMs, error.retryAfterMs ?? rateLimitWaitMs);
      await holdOff(job, until);
      return reschedule(job, until, text, false);
    }
    const attempts = job.attempts + 1;
    if (attempts >= o.maxAttempts) return dead(job, `${text} (gave up after ${attempts} attempts)`);
    const until = now + o.backoff(attempts);
    await holdOff(job, until);
    return reschedule(job, until, text, true);
  }

  async function heldUntil(job: OutboxJob): Promise<number | null> {
    const held = await o.limiter.heldUntil(job.channel, job.destination);
    if (held === null) deferrals.delete(laneKey(job));
    return held;
  }

  async function holdOff(job: OutboxJob, until: number): Promise<void> {
    try {
      await o.limiter.holdOff(job.channel, job.destination, until);
    } catch (err) {
      o.log.warn({ err, channel: job.channel }, 'could not record a hold on a destination');
    }
  }

  function defer(job: OutboxJob, held: number): Promise<void> {
    const key = laneKey(job);
    let d = deferrals.get(key);
    if (!d || d.until !== held) {
      d = { until: held, n: 0 };
      deferrals.set(key, d);
    }
    d.n += 1;
    const reason = `waiting behind an earlier message to ${job.destination}, held until ${new Date(held).toISOString()}`;
    return reschedule(job, held + d.n, reason, false);
  }

  async function putBack(entries: Claimed[]): Promise<void> {
    for (const { job } of entries) {
      await o.store.rescheduleOutbox(job.id, job.dueAt, 'put back: its lease ran short while it waited for the rate limiter', false);
      inflight.delete(job.id);
    }
    loop.kick();
  }

  async function reschedule(job: OutboxJob, at: number, error: string, countAttempt: boolean): Promise<void> {
    await o.store.rescheduleOutbox(job.id, at, error, countAttempt);
    loop.wakeAt(at);
  }

  async function dead(job: OutboxJob, reason: string): Promise<void> {
    await o.store.deadLetter(job.id, reason, o.clock.now());
    o.log.warn({ jobId: job.id, channel: job.channel, reason }, 'outbound message dead-lettered');
    notify('onDeadLetter', () => o.onDeadLetter?.(job, reason));
  }

  /** Hooks never hold up a lane, and their failures never touch the row. */
  function notify(hook: string, call: () => void | Promise<void> | undefined): void {
    try {
      const r = call();
      if (r) r.catch((err: unknown) => o.log.error({ err, hook }, 'outbox hook failed'));
    } catch (err) {
      o.log.error({ err, hook }, 'outbox hook failed');
    }
  }

  async function settleLanes(): Promise<void> {
    while (lanes.size > 0) await Promise.all([...lanes.values()].map((l) => l.done));
  }

  async function tick(): Promise<number> {
    const { claimed } = await loop.round();
    await settleLanes();
    return claimed;
  }

  return {
    start() {
      if (stopping) throw new Error('this outbox worker was stopped; create a new one');
      loop.start();
    },
    stop() {
      stopDone ??= (async () => {
        stopping = true;
        signalStop();
        await loop.stop();
        await settleLanes();
        await o.store.releaseLeases(o.owner);
      })();
      return stopDone;
    },
    kick: loop.kick,
    tick,
    async drain() {
      for (let i = 0; i < maxDrainRounds; i++) {
        if ((await tick()) === 0 && lanes.size === 0) return;
      }
      throw new Error(`the outbox still had due rows after ${maxDrainRounds} rounds`);
    },
  };
}

const laneKey = (job: OutboxJob) => `${job.channel}\u0000${job.destination}`;
