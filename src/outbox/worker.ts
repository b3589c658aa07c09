import type { ChannelAdapter, SendResult } from '../channel/contract.ts';
import type { Clock } from '../clock.ts';
import { asSendError, HeldError, type SendError } from '../errors.ts';
import type { Logger } from '../log.ts';
import type { Conversation, Message, OutboundMessage } from '../model/types.ts';
import { type Backoff, type BackoffOptions, toBackoff } from '../retry/backoff.ts';
import type { AdoptedOutbound, OutboxJob, Store } from '../store/contract.ts';
import { createDueLoop, type RoundResult } from '../timers/due-loop.ts';
import type { OutboxLimiter } from './limiter.ts';
import { buildOutbound } from './outbound-message.ts';
import { type Claimed, createOutcomes, laneKey } from './outcomes.ts';
import { createConfirmer, type UnconfirmedPolicy } from './unconfirmed.ts';

/**
 * The sending side of the transactional outbox: claims due rows with a lease,
 * sends each through the rate limiter and its channel's adapter, and records
 * the outcome. Rows of one conversation go one at a time, in due order; rows to
 * one destination share its rate limit, and after a failure the destination is
 * held, so its later rows wait behind the retry. Each send is recorded as
 * started (durably) before the provider is called: a row still marked so when
 * it is taken again is settled with the provider first (unconfirmed.ts).
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
  /** Delay before a transient failure is retried (`router.outbox.backoffBase` / `backoffMax`). */
  backoff: Backoff | BackoffOptions;
  /** Rows in hand at once, across all channels. */
  concurrency: number;
  /** Wait after a rate limit that named no Retry-After. */
  rateLimitWaitMs?: number;
  /** Longest sleep between looks at the store (rows written by other processes). */
  pollMs?: number;
  onDelivered?: (job: OutboxJob, result: SendResult) => void | Promise<void>;
  /** Each provider call's duration and how it ended, for /metrics. */
  onSendTimed?: (channel: string, ms: number, ok: boolean) => void;
  /** Rows put back unsent because their lease was lost while they waited, for /metrics. */
  onPutBack?: (channel: string, rows: number) => void;
  onDeadLetter?: (job: OutboxJob, reason: string) => void | Promise<void>;
  /** A send failed (transient, rate-limited) and the row is due again at `nextAt`. */
  onRetry?: (job: OutboxJob, error: SendError, nextAt: number) => void | Promise<void>;
  /** What to do with a send the provider cannot confirm (`router.outbox.unconfirmed`); default `resend`. */
  unconfirmed?: UnconfirmedPolicy;
  /** A conversation got a note that a reply may have gone out twice (`resent`) or not at all (`held`). */
  onUnconfirmed?: (job: OutboxJob, outcome: 'resent' | 'held') => void | Promise<void>;
}

export interface OutboxWorker {
  start(): void;
  /** Stops claiming, waits for sends already under way, and releases this owner's leases. */
  stop(): Promise<void>;
  /** New rows were committed: look now. */
  kick(): void;
  /** Rows the router wrote leased to this worker (Router `adoptOutbound`), sent without a claim. */
  adopt(rows: AdoptedOutbound[]): void;
  /** One round: claims what is due and resolves once those rows are handled. Returns how many were claimed. */
  tick(): Promise<number>;
  /** Rounds until nothing due is left. */
  drain(): Promise<void>;
}

interface Lane {
  queue: Claimed[];
  done: Promise<void>;
}

type Attempt =
  | { kind: 'sent'; result: SendResult }
  | { kind: 'failed'; error: SendError; until: number | null }
  | { kind: 'not-started'; error: unknown }
  | { kind: 'held'; until: number }
  | { kind: 'skipped'; reason: 'stopping' | 'lease' };

const maxDrainRounds = 1_000;

export function createOutboxWorker(o: OutboxWorkerOptions): OutboxWorker {
  if (!(o.leaseMs > 0)) throw new RangeError(`outbox leaseMs must be above 0, got ${o.leaseMs}`);
  if (!(o.maxAttempts >= 1)) throw new RangeError(`outbox maxAttempts must be 1 or more, got ${o.maxAttempts}`);
  if (!(o.concurrency >= 1)) throw new RangeError(`outbox concurrency must be 1 or more, got ${o.concurrency}`);
  const inflight = new Map<string, Claimed>();
  const lanes = new Map<string, Lane>();
  let stopping = false;
  let stopDone: Promise<void> | null = null;
  let starved = false;
  /** Abandons a send still waiting for the limiter, for stop(). */
  const waiting = new Set<() => void>();

  const loop = createDueLoop({
    clock: o.clock,
    log: o.log,
    name: 'outbox',
    round,
    nextDueAt: () => o.store.nextDueAt(),
    ...(o.pollMs ? { pollMs: o.pollMs } : {}),
  });

  const outcomes = createOutcomes({
    store: o.store,
    owner: o.owner,
    limiter: o.limiter,
    clock: o.clock,
    log: o.log,
    maxAttempts: o.maxAttempts,
    backoff: toBackoff(o.backoff),
    rateLimitWaitMs: o.rateLimitWaitMs ?? 30_000,
    wakeAt: loop.wakeAt,
    onDelivered: o.onDelivered,
    onDeadLetter: o.onDeadLetter,
    onRetry: o.onRetry,
  });

  const confirmer = createConfirmer({
    store: o.store,
    clock: o.clock,
    log: o.log,
    policy: o.unconfirmed ?? 'resend',
    onFlagged: o.onUnconfirmed,
  });

  async function round(): Promise<RoundResult> {
    if (stopping) return { claimed: 0, full: false };
    const limit = o.concurrency - inflight.size;
    // Claim in batches: one claim query per freed slot would cost more than the sends.
    if (limit <= 0 || (inflight.size > 0 && limit < Math.ceil(o.concurrency / 4))) {
      starved = true;
      return { claimed: 0, full: false };
    }
    const now = o.clock.now();
    const jobs = await o.store.claimOutbox({ owner: o.owner, now, leaseMs: o.leaseMs, limit });
    for (const job of jobs) dispatch(job, now + o.leaseMs);
    if (jobs.length >= limit) starved = true;
    return { claimed: jobs.length, full: jobs.length >= limit };
  }

  function dispatch(job: OutboxJob, leaseEnd: number, sending?: Claimed['sending']): void {
    const mine = inflight.get(job.id);
    if (mine && !mine.released) {
      // Claimed again after its lease ran out while it waited here: the new lease is ours too.
      mine.leaseEnd = leaseEnd;
      return;
    }
    const entry: Claimed = { job, leaseEnd, released: false, ...(sending ? { sending } : {}) };
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
        if ((await handle(entry)) === 'lease-short') {
          // Its lease is another worker's now (a put-back leaves that alone); the rest of the lane
          // goes back too, so no later row overtakes it.
          const rest = lane.queue.splice(0);
          o.log.warn(
            {
              jobId: entry.job.id,
              channel: entry.job.channel,
              destination: entry.job.destination,
              rows: rest.length + 1,
            },
            'outbox rows put back: a lease was lost while they waited for the rate limiter',
          );
          o.onPutBack?.(entry.job.channel, rest.length + 1);
          await outcomes.putBack([entry, ...rest]);
          for (const r of rest) forget(r);
          loop.kick();
        }
      } catch (err) {
        o.log.error(
          { err, jobId: entry.job.id },
          'recording an outbox outcome failed; the row is retried after its lease',
        );
      } finally {
        forget(entry);
        if (starved) {
          starved = false;
          loop.kick();
        }
      }
    }
    // When stopping, rows still queued stay leased until stop() releases them.
    for (const left of lane.queue) forget(left);
    lanes.delete(key);
  }

  /** A row claimed afresh after we released it has a new entry: leave that one be. */
  function forget(entry: Claimed): void {
    if (inflight.get(entry.job.id) === entry) inflight.delete(entry.job.id);
  }

  async function handle(entry: Claimed): Promise<'done' | 'lease-short'> {
    const { job } = entry;
    const adapter = o.adapters.get(job.channel);
    if (!adapter) {
      const reason = `no adapter is loaded for channel "${job.channel}": enable the channel, then retry the dead letter`;
      await outcomes.dead(entry, reason);
      return 'done';
    }
    if (await outcomes.deferIfHeld(entry)) return 'done';
    const loaded = await load(entry, adapter.capabilities.references === true);
    if (!loaded) {
      await outcomes.dead(entry, 'its message or conversation no longer exists');
      return 'done';
    }
    if (loaded.message.visibility === 'internal') {
      await outcomes.dead(entry, 'the message is an internal note, which is never sent to the customer');
      return 'done';
    }
    const outbound = buildOutbound(job, loaded);
    if (job.attemptedAt !== null) {
      const confirmed = await confirmer.confirm(adapter, job, outbound);
      switch (confirmed.kind) {
        case 'sent':
          await outcomes.sent(entry, confirmed.result);
          return 'done';
        case 'held':
          await outcomes.dead(entry, confirmed.reason, true);
          return 'done';
        case 'retry':
          await outcomes.failed(entry, confirmed.error, await outcomes.hold(entry, confirmed.error));
          return 'done';
        case 'send':
          break;
      }
    }
    entry.checked = true;
    const attempt = await send(entry, adapter, outbound);
    switch (attempt.kind) {
      case 'skipped':
        return attempt.reason === 'lease' ? 'lease-short' : 'done';
      case 'sent':
        await outcomes.sent(entry, attempt.result);
        return 'done';
      case 'failed':
        await outcomes.failed(entry, attempt.error, attempt.until);
        return 'done';
      case 'not-started':
        await outcomes.notStarted(entry, attempt.error);
        return 'done';
      case 'held':
        await outcomes.defer(entry, attempt.until);
        return 'done';
    }
  }

  /** What the adapter is given: handed over by the router, or read from the store. */
  async function load(
    entry: Claimed,
    references: boolean,
  ): Promise<{ message: Message; conversation: Conversation; references: string[] } | null> {
    const { sending } = entry;
    if (!sending) return o.store.loadOutbound(entry.job, { references });
    const { message, conversation } = sending;
    return { message, conversation, references: references ? await o.store.threadReferences(message) : [] };
  }

  /**
   * Waits for the limiter, then sends, unless the worker stops first or the
   * lease ran short meanwhile: a send starts only with half the lease left,
   * so no other worker can claim the row while it is under way. The start is
   * recorded, durably, once the send is next in line for its destination.
   */
  function send(entry: Claimed, adapter: ChannelAdapter, message: OutboundMessage): Promise<Attempt> {
    let started = false;
    // Durable before the provider may be called; written before the job waits for the pace.
    const markAttempted = () => o.store.markAttempted(entry.job.id, o.clock.now());
    const attempt = o.limiter
      .schedule(
        entry.job.channel,
        entry.job.destination,
        async (): Promise<Attempt> => {
          if (stopping) return { kind: 'skipped', reason: 'stopping' };
          if (o.clock.now() > entry.leaseEnd - o.leaseMs / 2 && !(await renew(entry))) {
            return { kind: 'skipped', reason: 'lease' };
          }
          started = true;
          const began = performance.now();
          const timed = (ok: boolean) => o.onSendTimed?.(entry.job.channel, performance.now() - began, ok);
          try {
            const result = await adapter.send(message);
            timed(true);
            return { kind: 'sent', result };
          } catch (err) {
            timed(false);
            const error = asSendError(err);
            // Held before this send leaves the limiter: the sends queued behind it must see the hold.
            return { kind: 'failed', error, until: await outcomes.hold(entry, error) };
          }
        },
        markAttempted,
      )
      .catch(
        (error: unknown): Attempt =>
          error instanceof HeldError ? { kind: 'held', until: error.until } : { kind: 'not-started', error },
      );
    // On stop, a send still waiting for the limiter is abandoned (it sees `stopping` when its turn comes).
    return new Promise<Attempt>((resolve) => {
      const abandon = () => {
        if (!started) resolve({ kind: 'skipped', reason: 'stopping' });
      };
      waiting.add(abandon);
      void attempt.then(resolve).finally(() => waiting.delete(abandon));
      if (stopping) abandon();
    });
  }

  /**
   * A send that waited its turn behind the pace keeps its row: the lease is extended while it is
   * still ours. Only a row another worker claimed meanwhile is given up.
   */
  async function renew(entry: Claimed): Promise<boolean> {
    const until = o.clock.now() + o.leaseMs;
    const kept = await o.store.renewOutboxLease(entry.job.id, o.owner, until).catch((err: unknown) => {
      o.log.warn({ err, jobId: entry.job.id }, 'could not extend an outbox lease; the row is put back');
      return false;
    });
    if (kept) entry.leaseEnd = until;
    return kept;
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
        for (const abandon of waiting) abandon();
        await loop.stop();
        await settleLanes();
        await o.store.releaseLeases(o.owner);
      })();
      return stopDone;
    },
    kick: loop.kick,
    adopt(rows) {
      // A stopping worker leaves them leased: stop() releases its leases for the next claim.
      if (stopping) return;
      for (const row of rows) dispatch(row.job, row.leaseUntil, row);
    },
    tick,
    async drain() {
      for (let i = 0; i < maxDrainRounds; i++) {
        if ((await tick()) === 0 && lanes.size === 0) return;
      }
      throw new Error(`the outbox still had due rows after ${maxDrainRounds} rounds`);
    },
  };
}
