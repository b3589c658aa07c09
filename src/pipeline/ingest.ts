import type { IngestResult } from '../channel/contract.ts';
import type { Clock } from '../clock.ts';
import { badRequest } from '../errors.ts';
import { createGroupCommit } from '../group-commit.ts';
import type { Logger } from '../log.ts';
import type { Envelope } from '../model/types.ts';
import type { InboundEvent, NewInbound, Store } from '../store/contract.ts';
import { TEXT_PER_TURN } from '../turns.ts';

export interface Ingestor {
  /** Resolves once the envelope is durably stored (or known as a duplicate); only then may the provider be acknowledged. */
  ingest(envelope: Envelope): Promise<IngestResult>;
  /** Waits for every queued envelope to be written. */
  flush(): Promise<void>;
}

/** Stores inbound envelopes with group commit: under load one transaction acknowledges many requests. */
export function createIngestor(opts: {
  store: Store;
  clock: Clock;
  log: Logger;
  maxBatch?: number;
  /**
   * Store new events reserved for this router (its lease owner), for `leaseMs`:
   * it routes them from memory, and other routers leave them alone meanwhile.
   */
  reserveFor?: { owner: string; leaseMs: number };
  /** Called after each committed batch that stored something new, with the new events in order. */
  onStored: (events: InboundEvent[]) => void;
}): Ingestor {
  const { store, clock, log, onStored, reserveFor } = opts;
  const batches = createGroupCommit<NewInbound, IngestResult>(
    async (events) => {
      try {
        const now = clock.now();
        const reserve = reserveFor ? { owner: reserveFor.owner, until: now + reserveFor.leaseMs } : undefined;
        const results = await store.insertInbound(events, reserve);
        const stored: InboundEvent[] = [];
        results.forEach((r, i) => {
          const e = events[i];
          if (!r.duplicate && e) stored.push({ id: r.eventId, ...e, attempts: 0 });
        });
        if (stored.length > 0) onStored(stored);
        return results.map((r) => ({ stored: !r.duplicate, duplicate: r.duplicate, eventId: r.eventId }));
      } catch (err) {
        log.error({ err, batch: events.length }, 'storing inbound events failed');
        throw err;
      }
    },
    // Acknowledged once durable; the router may start on them before, as its decisions wait for the same flush.
    {
      maxBatch: opts.maxBatch ?? 500,
      durable: () => store.durable(),
      // the envelope keeps the text and the provider's payload, which holds it again
      weigh: (e) => e.envelope.text.length * 2,
      maxWeight: TEXT_PER_TURN,
    },
  );

  return {
    async ingest(envelope) {
      checkEnvelope(envelope);
      return batches.submit({
        channel: envelope.channel,
        providerId: envelope.providerId,
        threadKey: envelope.threadKey,
        envelope,
        receivedAt: clock.now(),
      });
    },
    flush: () => batches.flush(),
  };
}

/** An adapter bug must not become a poison row in the store: throws 400 with what is missing. */
export function checkEnvelope(e: Envelope): void {
  const missing = (['channel', 'providerId', 'threadKey'] as const).filter(
    (k) => typeof e[k] !== 'string' || e[k].length === 0,
  );
  if (missing.length > 0) throw badRequest(`envelope is missing ${missing.join(', ')}`, 'invalid_envelope');
  if (!e.touchpoint || !e.from || typeof e.from.value !== 'string' || e.from.value.length === 0) {
    throw badRequest('envelope needs a touchpoint and a sender identity', 'invalid_envelope');
  }
  if (typeof e.text !== 'string') throw badRequest('envelope text must be a string', 'invalid_envelope');
}
