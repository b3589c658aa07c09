import type { Bus } from '../bus.ts';
import type { BusinessCalendar } from '../calendar/calendar.ts';
import { formatOpening } from '../calendar/format.ts';
import type { Clock } from '../clock.ts';
import { HttpError } from '../errors.ts';
import type { RouteRegistry } from '../http/http-types.ts';
import type { Logger } from '../log.ts';
import type { Envelope, Message } from '../model/types.ts';
import type { Store } from '../store/contract.ts';
import type { ChannelHost, IngestResult } from './contract.ts';
import { runExclusive } from './exclusive.ts';

/** A recorded customer-visible message, for adapters that push to live clients (web chat). */
export interface MessageEvent {
  channel: string;
  threadKey: string;
  message: Message;
}

export function createChannelHost(opts: {
  channel: string;
  store: Store;
  /** Stores an inbound envelope durably (the pipeline's ingestor); resolves only then. */
  ingestor: { ingest(envelope: Envelope): Promise<IngestResult> };
  bus: Bus<MessageEvent>;
  routes: RouteRegistry;
  log: Logger;
  clock: Clock;
  publicUrl: string;
  /** The business calendar: answers `isOpen` with this channel's hours. */
  calendar: Pick<BusinessCalendar, 'isOpen' | 'nextOpening' | 'timeZone'>;
  /** This instance's name as a lock owner. */
  instance: string;
  /** A provider reported a send failed (a status callback): the desk hears it now, not at the next message. */
  deliveryFailed?: (message: Message) => void;
  /** The adapter's `capabilities.maxInboundText`. */
  maxInboundText?: number | null | undefined;
}): ChannelHost {
  const { channel, store, calendar } = opts;
  const max = opts.maxInboundText ?? null;
  const count = new Intl.NumberFormat('en');
  return {
    exclusive: (name, work) =>
      runExclusive({
        store,
        clock: opts.clock,
        log: opts.log.child({ channel }),
        owner: opts.instance,
        name: `${channel}:${name}`,
        work,
      }),
    // Async, so that a refusal is a rejected promise like a failed store (Promise.allSettled over a batch).
    async ingest(envelope) {
      if (max !== null && envelope.text.length > max) {
        const n = count.format(envelope.text.length);
        throw new HttpError(
          413,
          'payload_too_large',
          `a text of ${n} characters is longer than the ${count.format(max)} ${channel} delivers in one message`,
        );
      }
      return opts.ingestor.ingest({ ...envelope, channel });
    },
    async keepUnreadable(reason, payload) {
      const id = await store.keepUnreadable({ channel, reason, payload, receivedAt: opts.clock.now() });
      await store.durable();
      opts.log.warn(
        { channel, unreadableId: id, reason, bytes: Buffer.byteLength(payload) },
        'a signed payload could not be read: answered and kept (touchpoint inbound unreadable)',
      );
    },
    async updateDelivery(providerId, status, error) {
      const message = await store.updateDelivery(channel, providerId, status, error ?? null);
      // The desk posts each failure once (it remembers which it told), so a repeated report is harmless.
      if (status === 'failed' && message?.status === 'failed') opts.deliveryFailed?.(message);
    },
    history: (threadKey, o) => store.threadHistory(channel, threadKey, o),
    async languageOf(threadKey) {
      const statuses = ['open', 'pending', 'snoozed', 'resolved', 'closed'] as const;
      const conversation = await store.findConversationByThread(channel, threadKey, [...statuses]);
      const contact = conversation ? await store.getContact(conversation.contactId) : null;
      return contact?.language ?? null;
    },
    onMessage: (fn) =>
      opts.bus.subscribe((e) => {
        if (e.channel === channel) fn(e.threadKey, e.message);
      }),
    routes: opts.routes,
    state: {
      get: (key) => store.getState(`channel:${channel}`, key),
      set: (key, value) => store.setState(`channel:${channel}`, key, value),
    },
    log: opts.log.child({ channel }),
    clock: opts.clock,
    publicUrl: opts.publicUrl,
    isOpen: (at) => calendar.isOpen(at, channel),
    availability(at) {
      if (calendar.isOpen(at, channel)) return { open: true, nextOpening: null };
      const next = calendar.nextOpening(at, channel);
      return {
        open: false,
        nextOpening: next === null ? null : formatOpening(next, at, { businessTimeZone: calendar.timeZone }),
      };
    },
  };
}
