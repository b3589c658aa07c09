import type { ChannelHost, ChannelState, IngestResult } from '../../src/channel/contract.ts';
import type { Clock } from '../../src/clock.ts';
import type { RouteRegistry } from '../../src/http/http-types.ts';
import { newId } from '../../src/ids.ts';
import { type Logger, silentLogger } from '../../src/log.ts';
import type { DeliveryStatus, Envelope, Message } from '../../src/model/types.ts';
import { localExclusive } from '../support/local-exclusive.ts';

/**
 * An in-memory ChannelHost for adapter tests: records ingested envelopes
 * (deduplicated like the store), keeps thread histories the test fills with
 * `record`, which also notifies `onMessage` listeners as the core would.
 */
export class FakeChannelHost implements ChannelHost {
  readonly envelopes: Envelope[] = [];
  readonly deliveries: Array<{ providerId: string; status: DeliveryStatus; error: string | null }> = [];
  readonly routes: RouteRegistry;
  readonly clock: Clock;
  readonly log: Logger;
  readonly publicUrl: string;
  readonly exclusive = localExclusive;
  readonly state: ChannelState;
  /** Set to make `ingest` wait until the promise resolves (to see that acknowledgements wait for it). */
  ingestGate: Promise<void> | null = null;
  readonly #seen = new Map<string, string>();
  readonly #threads = new Map<string, Message[]>();
  readonly #listeners = new Set<(threadKey: string, message: Message) => void>();

  constructor(opts: {
    routes: RouteRegistry;
    clock: Clock;
    publicUrl?: string;
    /** Shared between hosts to model a restart over the same store. */
    stateData?: Map<string, unknown>;
  }) {
    this.routes = opts.routes;
    this.clock = opts.clock;
    this.log = silentLogger;
    this.publicUrl = opts.publicUrl ?? 'http://127.0.0.1';
    const data = opts.stateData ?? new Map<string, unknown>();
    this.state = {
      get: async <T>(key: string) => (data.has(key) ? (data.get(key) as T) : null),
      set: async (key, value) => {
        data.set(key, value);
      },
    };
  }

  get listenerCount(): number {
    return this.#listeners.size;
  }

  async ingest(envelope: Envelope): Promise<IngestResult> {
    if (this.ingestGate) await this.ingestGate;
    const key = `${envelope.channel}\n${envelope.providerId}`;
    const earlier = this.#seen.get(key);
    if (earlier) return { stored: false, duplicate: true, eventId: earlier };
    const eventId = newId();
    this.#seen.set(key, eventId);
    this.envelopes.push(envelope);
    return { stored: true, duplicate: false, eventId };
  }

  /** Payloads the adapter could not read, with the reason. */
  readonly unreadable: Array<{ reason: string; payload: string }> = [];

  async keepUnreadable(reason: string, payload: Buffer | string): Promise<void> {
    this.unreadable.push({ reason, payload: payload.toString() });
  }

  async updateDelivery(providerId: string, status: DeliveryStatus, error?: string | null): Promise<void> {
    this.deliveries.push({ providerId, status, error: error ?? null });
  }

  async history(threadKey: string, opts: { afterId?: string | null; limit?: number } = {}): Promise<Message[]> {
    const all = this.#threads.get(threadKey) ?? [];
    const after = opts.afterId;
    return all.filter((m) => !after || m.id > after).slice(0, opts.limit ?? 100);
  }

  onMessage(fn: (threadKey: string, message: Message) => void): () => void {
    this.#listeners.add(fn);
    return () => this.#listeners.delete(fn);
  }

  /** Records a message on a thread as the core would, and tells live listeners. */
  record(threadKey: string, m: Partial<Message> & Pick<Message, 'text'>): Message {
    const message: Message = {
      id: newId(),
      conversationId: `conv-${threadKey}`,
      direction: 'outbound',
      author: { kind: 'bot', name: 'Test Shop' },
      attachments: [],
      providerId: null,
      status: 'queued',
      visibility: 'customer',
      createdAt: this.clock.now(),
      ...m,
    };
    const list = this.#threads.get(threadKey) ?? [];
    list.push(message);
    this.#threads.set(threadKey, list);
    for (const fn of this.#listeners) fn(threadKey, message);
    return message;
  }
}
