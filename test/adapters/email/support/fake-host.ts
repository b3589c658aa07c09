import type { ChannelHost, ChannelState, IngestResult } from '../../../../src/channel/contract.ts';
import { type Clock, systemClock } from '../../../../src/clock.ts';
import { createLogger, silentLogger } from '../../../../src/log.ts';
import type { DeliveryStatus, Envelope } from '../../../../src/model/types.ts';
import { checkEnvelope } from '../../../../src/pipeline/ingest.ts';
import { localExclusive } from '../../../support/local-exclusive.ts';

/**
 * A ChannelHost that stores envelopes in memory, deduplicated on providerId
 * like the core. `state` is a plain Map that outlives an adapter, so a test can
 * restart the adapter and check that it resumes from its checkpoint.
 */
export class FakeHost implements ChannelHost {
  /** Every ingest call, duplicates included. */
  readonly calls: Envelope[] = [];
  /** First envelope per providerId. */
  readonly stored = new Map<string, Envelope>();
  readonly deliveries: { providerId: string; status: DeliveryStatus; error: string | null }[] = [];
  readonly stateData: Map<string, unknown>;
  readonly state: ChannelState;
  readonly routes = { add: () => {} };
  /** TP_DEBUG=1 (with LOG_LEVEL=debug) shows the adapter's logs while debugging a test. */
  readonly log = process.env.TP_DEBUG ? createLogger() : silentLogger;
  readonly clock: Clock;
  readonly publicUrl = 'http://127.0.0.1:0';
  readonly exclusive = localExclusive;
  /** When set, the next ingest call rejects with this error (the store being down). */
  failNext: Error | null = null;
  #waiters: { check: () => boolean; resolve: () => void }[] = [];

  constructor(opts: { state?: Map<string, unknown>; clock?: Clock } = {}) {
    this.stateData = opts.state ?? new Map();
    this.clock = opts.clock ?? systemClock;
    const data = this.stateData;
    this.state = {
      get: async <T>(key: string) => (data.has(key) ? (structuredClone(data.get(key)) as T) : null),
      set: async (key, value) => {
        data.set(key, structuredClone(value));
        this.#check();
      },
    };
  }

  /** Payloads the adapter could not read, with the reason. */
  readonly unreadable: Array<{ reason: string; payload: string }> = [];

  async keepUnreadable(reason: string, payload: Buffer | string): Promise<void> {
    this.unreadable.push({ reason, payload: payload.toString() });
  }

  async ingest(envelope: Envelope): Promise<IngestResult> {
    if (this.failNext) {
      const err = this.failNext;
      this.failNext = null;
      throw err;
    }
    this.calls.push(envelope);
    checkEnvelope(envelope);
    const duplicate = this.stored.has(envelope.providerId);
    if (!duplicate) this.stored.set(envelope.providerId, envelope);
    this.#check();
    return { stored: !duplicate, duplicate, eventId: `evt-${this.calls.length}` };
  }

  async updateDelivery(providerId: string, status: DeliveryStatus, error?: string | null): Promise<void> {
    this.deliveries.push({ providerId, status, error: error ?? null });
  }

  async history() {
    return [];
  }

  onMessage() {
    return () => {};
  }

  /** The stored envelope whose text or subject contains `needle`. */
  find(needle: string): Envelope | undefined {
    return [...this.stored.values()].find(
      (e) => e.text.includes(needle) || (e.raw as { subject?: string } | undefined)?.subject?.includes(needle),
    );
  }

  /** Resolves once `check` holds after some ingest or state change; rejects after `timeoutMs` with what was stored. */
  waitFor(check: () => boolean, what: string, timeoutMs = 15_000): Promise<void> {
    if (check()) return Promise.resolve();
    return new Promise((resolve, reject) => {
      const waiter = { check, resolve: () => {} };
      const timer = setTimeout(() => {
        this.#waiters = this.#waiters.filter((w) => w !== waiter);
        reject(new Error(`timed out waiting for ${what}; stored: ${[...this.stored.keys()].join(', ') || 'nothing'}`));
      }, timeoutMs);
      waiter.resolve = () => {
        clearTimeout(timer);
        resolve();
      };
      this.#waiters.push(waiter);
    });
  }

  waitForCount(n: number, timeoutMs?: number): Promise<void> {
    return this.waitFor(() => this.stored.size >= n, `${n} stored mails`, timeoutMs);
  }

  #check(): void {
    for (const w of [...this.#waiters]) {
      if (w.check()) {
        this.#waiters = this.#waiters.filter((x) => x !== w);
        w.resolve();
      }
    }
  }
}
