import type { SendResult } from '../channel/contract.ts';
import type { Clock } from '../clock.ts';
import type { SendError } from '../errors.ts';
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
}

export interface OutcomeDeps {
  store: Store;
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
export const destinationKey = (job: OutboxJob) => `${job.channel}\u0000${job.destination}`;

/**
 * Rows of one conversation go one at a time, in due order, so a customer reads
 * replies in the order they were decided. Different conversations to the same
 * destination (one Page, one sending number) run side by side within its rate.
 */
export const laneKey = (job: OutboxJob) => `${job.channel}\u0000${job.conversationId}`;

/** What the outbox writes back for each way a row can end a round. */
export function createOutcomes(d: OutcomeDeps) {
  /** Per held lane: rows deferred behind the hold get due times after it, in the order they were met. */
  const deferrals = new Map<string, { until: number; n: number }>();

  async function reschedule(entry: Claimed, at: number, error: string, countAttempt: boolean): Promise<void> {
    entry.released = true;
    await d.store.rescheduleOutbox(entry.job.id, at, error, countAttempt);
    d.wakeAt(at);
  }

  async function dead(entry: Claimed, reason: string): Promise<void> {
    const { job } = entry;
    entry.released = true;
    await d.store.deadLetter(job.id, reason, d.clock.now());
    d.log.warn({ jobId: job.id, channel: job.channel, reason }, 'outbound message dead-lettered');
    notify('onDeadLetter', () => d.onDeadLetter?.(job, reason));
  }

  async function holdOff(job: OutboxJob, until: number): Promise<void> {
    try {
      await d.limiter.holdOff(job.channel, job.destination, until, d.clock.now());
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

    async failed(entry: Claimed, error: SendError): Promise<void> {
      const now = d.clock.now();
      const text = describeSendError(error);
      if (error.failure === 'permanent') {
        if (error.optedOut) await recordOptOut(entry.job);
        return dead(entry, text);
      }
      if (error.failure === 'rate_limited') {
        const until = now + Math.max(minRateLimitWaitMs, error.retryAfterMs ?? d.rateLimitWaitMs);
        await holdOff(entry.job, until);
        await reschedule(entry, until, text, false);
        notify('onRetry', () => d.onRetry?.(entry.job, error, until));
        return;
      }
      const attempts = entry.job.attempts + 1;
      if (attempts >= d.maxAttempts) return dead(entry, `${text} (gave up after ${attempts} attempts)`);
      // Hold the destination too, so its later rows wait behind this one instead of overtaking it.
      const until = now + d.backoff(attempts);
      await holdOff(entry.job, until);
      await reschedule(entry, until, text, true);
      notify('onRetry', () => d.onRetry?.(entry.job, error, until));
    },

    /** The limiter itself failed (Redis unreachable): not the message's fault, so no attempt is spent. */
    limiterFailed(entry: Claimed, err: unknown): Promise<void> {
      d.log.error({ err, jobId: entry.job.id }, 'rate limiter failed; the send is retried');
      return reschedule(entry, d.clock.now() + d.backoff(entry.job.attempts + 1), 'rate limiter unavailable', false);
    },

    /** Defers the row when its destination is held; true when it did. */
    async deferIfHeld(entry: Claimed): Promise<boolean> {
      const { job } = entry;
      const key = destinationKey(job);
      const held = await d.limiter.heldUntil(job.channel, job.destination, d.clock.now());
      if (held === null) {
        deferrals.delete(key);
        return false;
      }
      let q = deferrals.get(key);
      if (!q || q.until !== held) {
        q = { until: held, n: 0 };
        deferrals.set(key, q);
      }
      q.n += 1;
      const reason = `waiting behind an earlier message to ${job.destination}, held until ${new Date(held).toISOString()}`;
      await reschedule(entry, held + q.n, reason, false);
      return true;
    },

    /** Back in the queue at their own due times, in order, for a fresh claim. */
    async putBack(entries: Claimed[]): Promise<void> {
      for (const entry of entries) {
        const reason = 'put back: its lease ran short while it waited for the rate limiter';
        await reschedule(entry, entry.job.dueAt, reason, false);
      }
    },
  };
}
