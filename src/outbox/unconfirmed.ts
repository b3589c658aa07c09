import type { ChannelAdapter, SendCheck, SendResult } from '../channel/contract.ts';
import type { Clock } from '../clock.ts';
import { asSendError, SendError } from '../errors.ts';
import type { Logger } from '../log.ts';
import type { OutboundMessage } from '../model/types.ts';
import type { OutboxJob, Store } from '../store/contract.ts';
import { systemNote } from '../store/notes.ts';

/**
 * A row whose earlier send started but was never recorded (the router died
 * between the provider's answer and the commit, or the request timed out)
 * may already be with the customer. Before sending it again the outbox asks
 * the provider (ChannelAdapter.reconcile). Where the provider cannot tell,
 * nothing is guessed: the conversation gets an internal note and a desk
 * notice, and the row is sent again (`resend`, the default: the customer may
 * read it twice) or dead-lettered for an agent (`hold`: it may not have gone
 * out). Channels whose resend reaches the customer once (`idempotentSend`)
 * are sent again without either.
 */
export type UnconfirmedPolicy = 'resend' | 'hold';

/** What the worker does with the row next. */
export type Confirmation =
  | { kind: 'send' }
  | { kind: 'sent'; result: SendResult }
  | { kind: 'held'; reason: string }
  | { kind: 'retry'; error: SendError };

export interface UnconfirmedDeps {
  store: Store;
  clock: Clock;
  log: Logger;
  policy: UnconfirmedPolicy;
  /** The conversation was flagged: a notice for the desk (after the note is committed). */
  onFlagged?: ((job: OutboxJob, outcome: 'resent' | 'held') => void | Promise<void>) | undefined;
}

const EXCERPT = 80;

/** Look-ups of one send that keep finding a message another send already matched. */
const MAX_ASKS = 3;

export function createConfirmer(d: UnconfirmedDeps) {
  // Provider ids this process matched to an unconfirmed send: two sends of the same words, looked up
  // side by side before either outcome is recorded, must not both claim the one message found.
  const claimed = new Set<string>();
  async function ask(adapter: ChannelAdapter, job: OutboxJob, message: OutboundMessage): Promise<SendCheck> {
    if (!adapter.reconcile) return { state: 'unknown', reason: `${job.channel} offers no way to look a message up` };
    for (let n = 0; n < MAX_ASKS; n++) {
      const knownProviderIds = [...(await d.store.sentProviderIds(job.conversationId)), ...claimed];
      const check = await adapter.reconcile(message, { since: job.attemptedAt ?? job.createdAt, knownProviderIds });
      if (check.state !== 'sent' || !check.providerId) return check;
      if (!claimed.has(check.providerId)) {
        claimed.add(check.providerId);
        return check;
      }
    }
    return { state: 'unknown', reason: 'every message found is already matched to another send' };
  }

  async function flag(job: OutboxJob, message: OutboundMessage, reason: string, outcome: 'resent' | 'held') {
    const quoted = message.text.length > EXCERPT ? `${message.text.slice(0, EXCERPT)}…` : message.text;
    const text =
      outcome === 'resent'
        ? `A reply may have been sent twice: sending "${quoted}" was interrupted and ${job.channel} cannot confirm whether it went out (${reason}). It was sent again.`
        : `A reply may not have been sent: sending "${quoted}" was interrupted and ${job.channel} cannot confirm whether it went out (${reason}). It was not sent again: check with the customer, then retry it (touchpoint outbox retry ${job.id}) or leave it.`;
    await d.store.transaction((tx) => systemNote(tx, job.conversationId, text, d.clock.now(), 'outbox'));
    d.log.warn({ jobId: job.id, channel: job.channel, reason, outcome }, 'a send could not be confirmed');
    try {
      await d.onFlagged?.(job, outcome);
    } catch (err) {
      d.log.error({ err, hook: 'onFlagged' }, 'outbox hook failed');
    }
  }

  return {
    /** Settles an unconfirmed attempt of `job` (job.attemptedAt set) before it is sent again. */
    async confirm(adapter: ChannelAdapter, job: OutboxJob, message: OutboundMessage): Promise<Confirmation> {
      let check: SendCheck;
      try {
        check = await ask(adapter, job, message);
      } catch (err) {
        const e = asSendError(err);
        // Not knowing now is no answer: the attempt stays unconfirmed and is checked again later.
        if (e.failure !== 'permanent') return { kind: 'retry', error: keepUnconfirmed(e) };
        check = { state: 'unknown', reason: `the provider could not be asked: ${e.message}` };
      }
      if (check.state === 'sent') {
        d.log.info({ jobId: job.id, channel: job.channel }, 'an unconfirmed send had reached the provider');
        return { kind: 'sent', result: { providerId: check.providerId, status: 'sent' } };
      }
      if (check.state === 'not-sent' || adapter.capabilities.idempotentSend) return { kind: 'send' };
      if (d.policy === 'hold') {
        await flag(job, message, check.reason, 'held');
        return {
          kind: 'held',
          reason: `unconfirmed: ${check.reason}; not sent again (router.outbox.unconfirmed: hold)`,
        };
      }
      await flag(job, message, check.reason, 'resent');
      return { kind: 'send' };
    },
  };
}

function keepUnconfirmed(e: SendError): SendError {
  return new SendError(e.failure, `could not check an unconfirmed send: ${e.message}`, {
    retryAfterMs: e.retryAfterMs,
    providerCode: e.providerCode,
    cause: e,
    scope: e.scope,
    uncertain: true,
  });
}
