import { type ChannelHost, type Envelope, readOrKeep } from '../../../src/channel/index.ts';
import { CancellableWait } from '../../shared/backoff.ts';

/** Attempts per envelope before it is given up (about ten minutes of back-off). */
const MAX_ATTEMPTS = 12;
const FIRST_DELAY_MS = 500;
const MAX_DELAY_MS = 120_000;

/**
 * Hands gateway messages to the core one at a time, in arrival order. The
 * gateway has nothing to acknowledge and does not send a message again, so
 * when the store is briefly down an envelope is retried here with back-off
 * rather than dropped; the core's dedupe on (channel, providerId) makes a
 * retry that had in fact been stored harmless. A message the core refuses
 * (or that cannot be read) would fail the same way every time: it is kept for
 * inspection instead, so it never holds up the messages behind it.
 */
export class IngestQueue {
  readonly #host: ChannelHost;
  #tail: Promise<void> = Promise.resolve();
  #stopped = false;
  readonly #waits: CancellableWait;

  constructor(host: ChannelHost) {
    this.#host = host;
    this.#waits = new CancellableWait(host.clock);
  }

  push(envelope: Envelope): void {
    this.#enqueue(envelope.providerId, async () => {
      const raw = JSON.stringify(envelope.raw) ?? 'null';
      const result = await readOrKeep(this.#host, raw, () => this.#host.ingest(envelope));
      if (result?.duplicate)
        this.#host.log.debug({ providerId: envelope.providerId }, 'Discord message already stored');
    });
  }

  /** Keeps a message that could not be read, in turn with the others. */
  keep(providerId: string, reason: string, payload: string): void {
    this.#enqueue(providerId, () => this.#host.keepUnreadable(reason, payload));
  }

  /** Resolves once everything pushed so far was stored or given up. */
  idle(): Promise<void> {
    return this.#tail;
  }

  /** Stops retrying; an envelope still failing is logged as lost. */
  stop(): void {
    this.#stopped = true;
    this.#waits.cancel();
  }

  #enqueue(providerId: string, store: () => Promise<void>): void {
    this.#tail = this.#tail.then(() => this.#deliver(providerId, store));
  }

  async #deliver(providerId: string, store: () => Promise<void>): Promise<void> {
    const log = this.#host.log.child({ providerId });
    for (let attempt = 1; attempt <= MAX_ATTEMPTS; attempt++) {
      try {
        await store();
        return;
      } catch (err) {
        if (this.#stopped || attempt === MAX_ATTEMPTS) {
          log.error({ err, attempt }, 'Discord message could not be stored and is lost');
          return;
        }
        const delay = Math.min(MAX_DELAY_MS, FIRST_DELAY_MS * 2 ** (attempt - 1));
        log.warn({ err, attempt, inMs: delay }, 'storing a Discord message failed; trying again');
        await this.#waits.wait(delay);
      }
    }
  }
}
