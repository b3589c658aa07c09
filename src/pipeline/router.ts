import type { Clock } from '../clock.ts';
import type { Logger } from '../log.ts';
import type { InboundEvent, Store } from '../store/contract.ts';
import { createDueLoop } from '../timers/due-loop.ts';
import { type RouteDeps, type Routed, routeEvent } from './route-event.ts';

export interface RouterOptions {
  store: Store;
  clock: Clock;
  log: Logger;
  owner: string;
  leaseMs: number;
  batchSize: number;
  /** Threads routed in parallel (each in its own transaction) when not batching. */
  workers: number;
  maxAttempts: number;
  /**
   * Route a whole claimed batch in one transaction: with one writer (SQLite)
   * this turns N commits into one; with PostgreSQL, threads run in parallel instead.
   */
  batchTransactions: boolean;
  deps: RouteDeps;
  onRouted: (routed: Routed[]) => void;
}

export interface Router {
  start(): void;
  /** Stops claiming, finishes the batch in hand, releases leases. */
  stop(): Promise<void>;
  /** New events are stored: look now instead of at the next poll. */
  kick(): void;
  /** Routes until nothing claimable is left (tests, benchmarks). */
  drain(): Promise<void>;
}

const idlePollMs = 1_000;

export function createRouter(o: RouterOptions): Router {
  async function round(): Promise<number> {
    const now = o.clock.now();
    const events = await o.store.claimInbound({ owner: o.owner, now, leaseMs: o.leaseMs, limit: o.batchSize });
    if (events.length === 0) return 0;
    const routed = o.batchTransactions ? await routeBatched(events) : await routeParallel(events);
    if (routed.length > 0) o.onRouted(routed);
    return events.length;
  }

  async function routeBatched(events: InboundEvent[]): Promise<Routed[]> {
    try {
      return await o.store.transaction(async (tx) => {
        const out: Routed[] = [];
        for (const e of events) out.push(await routeEvent(tx, e, o.clock.now(), o.deps));
        return out;
      });
    } catch (err) {
      o.log.warn({ err, events: events.length }, 'batch routing failed; routing events one by one');
      return routeParallel(events);
    }
  }

  /** One transaction per event; threads in parallel, each thread's events in order. */
  async function routeParallel(events: InboundEvent[]): Promise<Routed[]> {
    const byThread = new Map<string, InboundEvent[]>();
    for (const e of events) {
      const key = `${e.channel}\u0000${e.threadKey}`;
      const list = byThread.get(key);
      if (list) list.push(e);
      else byThread.set(key, [e]);
    }
    const groups = [...byThread.values()];
    const out: Routed[] = [];
    let next = 0;
    const worker = async () => {
      for (let g = groups[next++]; g; g = groups[next++]) {
        for (const e of g) {
          const r = await routeOne(e);
          if (!r) break; // keep the thread's order: later events wait for the failed one's retry
          out.push(r);
        }
      }
    };
    await Promise.all(Array.from({ length: Math.min(o.workers, groups.length) }, worker));
    return out;
  }

  async function routeOne(e: InboundEvent): Promise<Routed | null> {
    try {
      return await o.store.transaction((tx) => routeEvent(tx, e, o.clock.now(), o.deps));
    } catch (err) {
      const attempts = e.attempts + 1;
      const final = attempts >= o.maxAttempts;
      const retryAt = o.clock.now() + Math.min(60_000, 1_000 * 2 ** attempts);
      o.log.error({ err, eventId: e.id, channel: e.channel, attempts, final }, 'routing an inbound event failed');
      await o.store.failInbound(e.id, err instanceof Error ? err.message : String(err), retryAt, final);
      return null;
    }
  }

  // New events kick the loop; the poll covers events stored by other instances and retries falling due.
  const loop = createDueLoop({
    clock: o.clock,
    log: o.log,
    name: 'router',
    round: async () => {
      const claimed = await round();
      return { claimed, full: claimed > 0 };
    },
    nextDueAt: async () => null,
    pollMs: idlePollMs,
  });

  return {
    start: () => loop.start(),
    async stop() {
      await loop.stop();
      await o.store.releaseLeases(o.owner);
    },
    kick: () => loop.kick(),
    async drain() {
      while ((await loop.round()).claimed > 0) {}
    },
  };
}
