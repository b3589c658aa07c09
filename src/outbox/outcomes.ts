import type { SendResult } from '../channel/contract.ts';
import type { Clock } from '../clock.ts';
import type { HoldScope, SendError } from '../errors.ts';
import type { Logger } from '../log.ts';
import type { Conversation, Message } from '../model/types.ts';
import type { Backoff } from '../retry/backoff.ts';
import type { OutboxJob, Store } from '../store/contract.ts';
import type { OutboxLimiter } from './limiter.ts';
import { describeSendError } from './outbound-message.ts';

/** A row this worker holds a lease on. */
export interface Claimed {
  job: OutboxJob;
  leaseEnd: number;
  /** Handed over by the router that wrote it: what the send needs, so nothing is read back. */
  sending?: { message: Message; conversation: Conversation };
  /** Set just before the write that gives up our lease: a later claim of the row is then a new job, not ours. */
  released: boolean;
  /**
   * Its earlier unconfirmed attempt, if any, was settled with the provider in
   * this round: a start recorded on it now is this round's own, and is cleared
   * when the send is turned away before it began.
   */
  checked?: boolean;
}

export interface OutcomeDeps {
  store: Store;
  /** This worker's lease owner: a put-back frees only rows it still holds. */
  owner: string;
  limiter: OutboxLimiter;
  clock: Clock;
  log: Logger;
  maxAttempts: number;
  backoff: Backoff;
  rateLimitWaitMs: number;
  /** The row is due again at this instant: make sure the loop is awake then. */
  wakeAt: (at: number) => void;
  onDelivered?: ((job: OutboxJob, result: SendResult) => void | Promise<void>) | undefined;
  onDeadLetter?: ((job: OutboxJob, reason: string) => void | Promise<void>) | undefined;
  onRetry?: ((job: OutboxJob, error: SendError, nextAt: number) => void | Promise<void>) | undefined;
}

/** Floor of a rate-limit wait: a provider answering "retry after 0" must not make us spin. */
const minRateLimitWaitMs = 1_000;

/** Rows to one destination share its rate and its holds (a 429 from the provider). */
// Stryker disable next-line StringLiteral: the separator matters only if a channel's name ended where another's began ('ab'+'c', 'a'+'bc'); channel names are fixed identifiers
export const destinationKey = (job: OutboxJob) => `${job.channel}\u0000${job.destination}`;

/**
 * Rows of one conversation go one at a time, in due order, so a customer reads
 * replies in the order they were decided. Different conversations to the same
 * destination (one Page, one sending number) run side by side within its rate.
 */
// Stryker disable next-line StringLiteral: as for destinationKey
export const laneKey = (job: OutboxJob) => `${job.channel}\u0000${job.conversationId}`;

/** What the outbox writes back for each way a row can end a round. */
export function createOutcomes(d: OutcomeDeps) {
  /** Per held lane: rows deferred behind the hold get due times after it, in the order they were met. */
  const deferrals = new Map<string, { until: number; n: number }>();

  /** `settled`: the provider answered that it did not take the message (see Store.rescheduleOutbox). */
  async function reschedule(
    entry: Claimed,
    at: number,
    error: string,
    countAttempt: boolean,
    settled = false,
  ): Promise<void> {
    entry.released = true;
    await d.store.rescheduleOutbox(entry.job.id, at, error, countAttempt, settled);
    d.wakeAt(at);
  }

  async function dead(entry: Claimed, reason: string, settled = false): Promise<void> {
    const { job } = entry;
    entry.released = true;
    await d.store.deadLetter(job.id, reason, d.clock.now(), settled);
    d.log.warn({ jobId: job.id, channel: job.channel, reason }, 'outbound message dead-lettered');
    notify('onDeadLetter', () => d.onDeadLetter?.(job, reason));
  }

  async function holdOff(job: OutboxJob, until: number, scope: HoldScope = 'destination'): Promise<void> {
    try {
      await d.limiter.holdOff(job.channel, job.destination, until, d.clock.now(), scope);
    } catch (err) {
      d.log.warn({ err, channel: job.channel }, 'could not record a hold on a destination');
    }
  }

  /** The provider refused because the recipient opted out: remember it, so nothing more is queued for them there. */
  async function recordOptOut(job: OutboxJob): Promise<void> {
    try {
      await d.store.transaction(async (tx) => {
        const conversation = await tx.getConversation(job.conversationId);
        const contact = conversation ? await tx.getContact(conversation.contactId) : null;
        if (!contact || contact.optOuts.includes(job.channel)) return;
        await tx.updateContact(contact.id, { optOuts: [...contact.optOuts, job.channel] });
      });
    } catch (err) {
      d.log.error({ err, jobId: job.id }, 'recording an opt-out reported by the provider failed');
    }
  }

  /** Rows deferred behind one hold get due times after it, one ms apart, in the order they were met. */
  async function defer(entry: Claimed, held: number): Promise<void> {
    const { job } = entry;
    const key = destinationKey(job);
    let q = deferrals.get(key);
    if (!q || q.until !== held) {
      q = { until: held, n: 0 };
      deferrals.set(key, q);
    }
    q.n += 1;
    const reason = `waiting behind an earlier message to ${job.destination}, held until ${new Date(held).toISOString()}`;
    await reschedule(entry, held + q.n, reason, false, entry.checked === true);
  }

  /** Hooks never hold up a lane, and their failures never touch the row. */
  function notify(hook: string, call: () => void | Promise<void> | undefined): void {
    try {
      const r = call();
      if (r) r.catch((err: unknown) => d.log.error({ err, hook }, 'outbox hook failed'));
    } catch (err) {
      d.log.error({ err, hook }, 'outbox hook failed');
    }
  }

  return {
    dead,

    async sent(entry: Claimed, result: SendResult | undefined): Promise<void> {
      entry.released = true;
      await d.store.markSent(entry.job.id, result?.providerId ?? null, result?.status ?? 'sent', d.clock.now());
      notify('onDelivered', () => d.onDelivered?.(entry.job, result ?? { providerId: null }));
    },

    /**
     * After a failure that is tried again, holds the destination (the whole
     * channel for an account-wide rate limit) until the retry: for a rate
     * limit, nothing may go there before it ends; otherwise its later rows
     * wait behind this one instead of overtaking it. Call it before the
     * failed send frees its place in the limiter, so no send queued behind
     * it starts first. Returns when the row is due again (null: it is not).
     */
    async hold(entry: Claimed, error: SendError): Promise<number | null> {
      const now = d.clock.now();
      if (error.failure === 'permanent') return null;
      if (error.failure === 'rate_limited') {
        const until = now + Math.max(minRateLimitWaitMs, error.retryAfterMs ?? d.rateLimitWaitMs);
        await holdOff(entry.job, until, error.scope);
        return until;
      }
      const attempts = entry.job.attempts + 1;
      if (attempts >= d.maxAttempts) return null;
      const until = now + d.backoff(attempts);
      await holdOff(entry.job, until);
      return until;
    },

    /**
     * The provider refused the send or could not be reached; `until` is what
     * `hold` returned. Only an uncertain failure leaves the attempt
     * unconfirmed, for the next one to check first.
     */
    async failed(entry: Claimed, error: SendError, until: number | null): Promise<void> {
      const text = describeSendError(error);
      const settled = !error.uncertain;
      if (error.failure === 'permanent') {
        if (error.optedOut) await recordOptOut(entry.job);
        return dead(entry, text, settled);
      }
      const attempts = entry.job.attempts + 1;
      if (until === null) return dead(entry, `${text} (gave up after ${attempts} attempts)`, settled);
      const countAttempt = error.failure !== 'rate_limited';
      await reschedule(entry, until, text, countAttempt, settled);
      notify('onRetry', () => d.onRetry?.(entry.job, error, until));
    },

    /**
     * The send could not start (the limiter's Redis or the store failed before the provider was called):
     * not the message's fault, so no attempt is spent.
     */
    notStarted(entry: Claimed, err: unknown): Promise<void> {
      d.log.error({ err, jobId: entry.job.id }, 'a send could not start; it is retried');
      const reason = 'could not start: rate limiter or store unavailable';
      return reschedule(entry, d.clock.now() + d.backoff(entry.job.attempts + 1), reason, false);
    },

    /** Defers the row when its destination is held; true when it did. */
    async deferIfHeld(entry: Claimed): Promise<boolean> {
      const { job } = entry;
      const held = await d.limiter.heldUntil(job.channel, job.destination, d.clock.now());
      if (held === null) {
        deferrals.delete(destinationKey(job));
        return false;
      }
      await defer(entry, held);
      return true;
    },

    /** The limiter turned the send away during a hold (HeldError): back in the queue behind it. */
    defer,

    /**
     * Back in the queue at their own due times, in order, for a fresh claim; a row another worker
     * claimed meanwhile is left to that worker.
     */
    async putBack(entries: Claimed[]): Promise<void> {
      for (const entry of entries) {
        entry.released = true;
        await d.store.releaseOutboxLease(entry.job.id, d.owner);
        d.wakeAt(entry.job.dueAt);
      }
    },
  };
}
