import type { Clock } from '../clock.ts';
import type { Logger } from '../log.ts';
import type { InboundEvent, Store } from '../store/contract.ts';
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
  let running = false;
  let loop: Promise<void> | null = null;
  let wake: (() => void) | null = null;
  let kicked = false;

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

  function sleep(ms: number): Promise<void> {
    return new Promise((resolve) => {
      const cancel = o.clock.after(ms, () => {
        wake = null;
        resolve();
      });
      wake = () => {
        cancel();
        wake = null;
        resolve();
      };
    });
  }

  async function run(): Promise<void> {
    while (running) {
      kicked = false;
      let claimed = 0;
      try {
        claimed = await round();
      } catch (err) {
        o.log.error({ err }, 'router round failed');
      }
      if (!running) break;
      if (claimed === 0 && !kicked) await sleep(idlePollMs);
    }
  }

  return {
    start() {
      if (running) return;
      running = true;
      loop = run();
    },
    async stop() {
      running = false;
      wake?.();
      await loop;
      loop = null;
      await o.store.releaseLeases(o.owner);
    },
    kick() {
      kicked = true;
      wake?.();
    },
    async drain() {
      while ((await round()) > 0) {}
    },
  };
}
