import type { IngestResult } from '../channel/contract.ts';
import type { Clock } from '../clock.ts';
import { badRequest } from '../errors.ts';
import type { Logger } from '../log.ts';
import type { Envelope } from '../model/types.ts';
import type { NewInbound, Store } from '../store/contract.ts';

interface Waiting {
  event: NewInbound;
  resolve: (r: IngestResult) => void;
  reject: (e: unknown) => void;
}

export interface Ingestor {
  /** Resolves once the envelope is durably stored (or known as a duplicate); only then may the provider be acknowledged. */
  ingest(envelope: Envelope): Promise<IngestResult>;
  /** Waits for every queued envelope to be written. */
  flush(): Promise<void>;
}

/**
 * Group commit: envelopes that arrive while a write is in progress are
 * written together in the next transaction, so one fsync acknowledges many
 * requests under load while a lone request is still written at once.
 */
export function createIngestor(opts: {
  store: Store;
  clock: Clock;
  log: Logger;
  maxBatch?: number;
  /** Called after each committed batch that stored something new. */
  onStored: () => void;
}): Ingestor {
  const { store, clock, log, onStored } = opts;
  const maxBatch = opts.maxBatch ?? 500;
  let queue: Waiting[] = [];
  let writing: Promise<void> | null = null;

  async function writeLoop(): Promise<void> {
    while (queue.length > 0) {
      const batch = queue.slice(0, maxBatch);
      queue = queue.slice(batch.length);
      try {
        const results = await store.insertInbound(batch.map((w) => w.event));
        let fresh = false;
        batch.forEach((w, i) => {
          const r = results[i];
          if (!r) return w.reject(new Error('store returned fewer results than events'));
          fresh ||= !r.duplicate;
          w.resolve({ stored: !r.duplicate, duplicate: r.duplicate, eventId: r.eventId });
        });
        if (fresh) onStored();
      } catch (err) {
        log.error({ err, batch: batch.length }, 'storing inbound events failed');
        for (const w of batch) w.reject(err);
      }
    }
  }

  function startWriting(): void {
    if (writing) return;
    writing = new Promise<void>((done) => setImmediate(done))
      .then(writeLoop)
      .finally(() => {
        writing = null;
        if (queue.length > 0) startWriting();
      });
  }

  return {
    async ingest(envelope) {
      checkEnvelope(envelope);
      return new Promise<IngestResult>((resolve, reject) => {
        const event: NewInbound = {
          channel: envelope.channel,
          providerId: envelope.providerId,
          threadKey: envelope.threadKey,
          envelope,
          receivedAt: clock.now(),
        };
        queue.push({ event, resolve, reject });
        startWriting();
      });
    },
    async flush() {
      while (writing) await writing;
    },
  };
}

/** An adapter bug must not become a poison row in the store. */
function checkEnvelope(e: Envelope): void {
  const missing = (['channel', 'providerId', 'threadKey'] as const).filter(
    (k) => typeof e[k] !== 'string' || e[k].length === 0,
  );
  if (missing.length > 0) throw badRequest(`envelope is missing ${missing.join(', ')}`, 'invalid_envelope');
  if (!e.touchpoint || !e.from || typeof e.from.value !== 'string' || e.from.value.length === 0) {
    throw badRequest('envelope needs a touchpoint and a sender identity', 'invalid_envelope');
  }
  if (typeof e.text !== 'string') throw badRequest('envelope text must be a string', 'invalid_envelope');
}
