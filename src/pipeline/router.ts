import type { Clock } from '../clock.ts';
import { type RouteDeps, type Routed, routeEvent } from '../decide/route-event.ts';
import type { Logger } from '../log.ts';
import { type Backoff, createBackoff } from '../retry/backoff.ts';
import type { AdoptedOutbound, InboundEvent, Store, StoreTx, TransactionOptions } from '../store/contract.ts';
import { createDueLoop } from '../timers/due-loop.ts';
import { HEAVY_BYTES, heavyTurn, prefixByWeight, TEXT_PER_TURN, yieldTurn } from '../turns.ts';

export interface RouterOptions {
  store: Store;
  clock: Clock;
  log: Logger;
  owner: string;
  leaseMs: number;
  batchSize: number;
  /** Transactions routing in parallel (each several threads) when not batching. */
  workers: number;
  maxAttempts: number;
  /** Delay before retrying a failed event (default: full jitter from 2 s, doubling, capped at 1 min). */
  backoff?: Backoff;
  /**
   * Route a whole batch in one transaction: with one writer (SQLite)
   * this turns N commits into one; with PostgreSQL, the batch's threads are
   * shared out over up to `workers` transactions in parallel instead.
   */
  batchTransactions: boolean;
  /**
   * Outbound rows the routing writes are leased to this outbox worker and
   * passed to `onRouted`, so they are sent without a claim.
   */
  adoptOutbound?: { owner: string; leaseMs: number };
  /** Offered events held in memory at most (default 10,000); past it the claims take over until they catch up. */
  maxHeld?: number;
  /**
   * What routing reads: the settings, the steps, the outbound chain. A function
   * is asked once per event, so a config reload applies from the next event on
   * and one event never sees two configs.
   */
  deps: RouteDeps | (() => RouteDeps);
  /**
   * What a round decided, once its commit is durable (Store.durable), in
   * round order. The next round is already under way meanwhile.
   */
  onRouted: (routed: Routed[], adopted: AdoptedOutbound[]) => void;
  /** Each routed event's wait, from stored to routed (ms), for /metrics. */
  onRouteLatency?: (ms: number) => void;
}

export interface Router {
  start(): void;
  /** Stops claiming, finishes the batch in hand, releases leases. */
  stop(): Promise<void>;
  /** Events were stored that were not offered (another path, a retry): claim from the store now instead of at the next poll. */
  kick(): void;
  /**
   * Events the ingestor just stored reserved for this router: routed from
   * memory, no claim needed. Each is still checked in its routing transaction,
   * so one that is done, held elsewhere or behind an earlier event of its
   * thread is left to the claims.
   */
  offer(events: InboundEvent[]): void;
  /** Routes until nothing claimable is left (tests, benchmarks). */
  drain(): Promise<void>;
}

const idlePollMs = 1_000;
/**
 * The store is claimed from this often (and at once after a wait or an
 * overflow): for retries falling due, leases run out, and events stored by
 * other instances. What this instance stores comes through memory, so an
 * empty queue is no reason to ask the store again.
 */
const claimEveryMs = 1_000;
/**
 * After an event had to wait for an earlier one of its thread held elsewhere
 * (another instance routing it), the store is asked this often for a while,
 * so the thread moves on in milliseconds rather than at the next poll.
 */
const recheckMs = 50;
const recheckForMs = 2_000;
/**
 * Events a PostgreSQL routing transaction takes at least, when a round has them: its commit
 * and lock statement serve them all. Parallel transactions overlap the router's work with the
 * database's; more of them than the pool has connections only queue.
 */
const perTransaction = 8;

type Attempt = { ok: true; routed: Routed | null } | { ok: false };

export function createRouter(o: RouterOptions): Router {
  const backoff = o.backoff ?? createBackoff({ baseMs: 1_000, maxMs: 60_000 });
  const maxHeld = o.maxHeld ?? 10_000;
  let handed: InboundEvent[] = [];
  /** An event had to wait for an earlier one of its thread: claim next, in thread order. */
  let waited = false;
  /** Offers were refused for room: claim until the store is caught up. */
  let overflowed = false;
  /** kick() or drain(): claim on the next round, whatever the clock says. */
  let asked = false;
  let draining = false;
  let lastClaimAt = Number.NEGATIVE_INFINITY;
  let recheckUntil = Number.NEGATIVE_INFINITY;
  /** Rounds whose decisions wait for the disk before they are passed on, chained to keep their order. */
  let handing: Promise<void> = Promise.resolve();

  async function round(): Promise<number> {
    const now = o.clock.now();
    const every = now < recheckUntil ? recheckMs : claimEveryMs;
    const claim = asked || waited || overflowed || (draining && handed.length === 0) || now - lastClaimAt >= every;
    if (!claim && handed.length === 0) return 0;
    let events: InboundEvent[];
    if (claim) {
      waited = false;
      asked = false;
      lastClaimAt = now;
      events = await o.store.claimInbound({ owner: o.owner, now, leaseMs: o.leaseMs, limit: o.batchSize });
      if (events.length < o.batchSize) overflowed = false;
      // The claim takes the oldest events, mostly ones also held in memory: routed now, they must
      // not cost a transaction each again later only to be found done.
      if (events.length > 0 && handed.length > 0) {
        const claimed = new Set(events.map((e) => e.id));
        handed = handed.filter((e) => !claimed.has(e.id));
      }
    } else {
      events = handed.splice(0, o.batchSize);
    }
    if (events.length === 0) return 0;
    // large texts go a transaction's worth at a time, the event loop turning between
    for (let rest = events; rest.length > 0; ) {
      const run = prefixByWeight(rest, (e) => e.envelope.text.length, TEXT_PER_TURN);
      rest = rest.slice(run.length);
      if (run.some((e) => e.envelope.text.length > HEAVY_BYTES)) await heavyTurn();
      const { routed, adopted } = await routeRound(run);
      if (o.onRouteLatency) {
        const done = o.clock.now();
        for (const e of run) o.onRouteLatency(done - e.receivedAt);
      }
      if (routed.length > 0 || adopted.length > 0) handOn(routed, adopted);
      if (rest.length > 0) await yieldTurn();
    }
    return events.length;
  }

  function handOn(routed: Routed[], adopted: AdoptedOutbound[]): void {
    const durable = o.store.durable();
    handing = handing
      .then(() => durable)
      .then(
        () => o.onRouted(routed, adopted),
        // The decisions are committed but may not survive a crash: nothing is sent on them now. The
        // adopted rows go out once their lease runs out and a claim (which flushes first) takes them.
        (err: unknown) =>
          o.log.error({ err, routed: routed.length }, 'the store could not make routing decisions durable'),
      );
  }

  function txOptions(adopted: AdoptedOutbound[]): TransactionOptions {
    return o.adoptOutbound ? { adopt: { ...o.adoptOutbound, adopted } } : {};
  }

  /**
   * Routes one event if it is its turn (see InboundTurn); null when it was left alone.
   * Its thread is locked already (lockThreads at the start of the transaction).
   */
  async function routeIfTurn(tx: StoreTx, e: InboundEvent): Promise<Routed | null> {
    const now = o.clock.now();
    const turn = await tx.inboundTurn(e, o.owner, now);
    if (turn === 'wait') {
      waited = true;
      recheckUntil = now + recheckForMs;
    }
    if (turn !== 'route') return null;
    return routeEvent(tx, e, now, typeof o.deps === 'function' ? o.deps() : o.deps);
  }

  /**
   * With one writer (SQLite) the round is one transaction; otherwise its threads are shared
   * out over up to `workers` transactions run in parallel, each routing several threads
   * (perTransaction events at least, when the round has them), so a round costs a commit
   * and a lock statement per transaction, not per event.
   */
  async function routeRound(events: InboundEvent[]): Promise<{ routed: Routed[]; adopted: AdoptedOutbound[] }> {
    if (o.batchTransactions) return routeBatched(events);
    const groups = threadGroups(events);
    const count = Math.min(o.workers, groups.length, Math.ceil(events.length / perTransaction));
    const chunks: InboundEvent[][] = Array.from({ length: count }, () => []);
    for (const [i, g] of groups.entries()) chunks[i % chunks.length]?.push(...g);
    const done = await Promise.all(chunks.map(routeBatched));
    return { routed: done.flatMap((d) => d.routed), adopted: done.flatMap((d) => d.adopted) };
  }

  /** The events in one transaction, each thread's in order; when it fails, one by one (routeParallel). */
  async function routeBatched(events: InboundEvent[]): Promise<{ routed: Routed[]; adopted: AdoptedOutbound[] }> {
    // A lone event needs no batch to fall back from.
    if (events.length === 1 && !o.batchTransactions) return routeParallel(events);
    const adopted: AdoptedOutbound[] = [];
    try {
      const routed = await o.store.transaction(async (tx) => {
        await tx.lockThreads(events);
        const out: Routed[] = [];
        for (const e of events) {
          const r = await routeIfTurn(tx, e);
          if (r) out.push(r);
        }
        return out;
      }, txOptions(adopted));
      return { routed, adopted };
    } catch (err) {
      o.log.warn({ err, events: events.length }, 'batch routing failed; routing events one by one');
      return routeParallel(events);
    }
  }

  /** One transaction per event; threads in parallel, each thread's events in order. */
  async function routeParallel(events: InboundEvent[]): Promise<{ routed: Routed[]; adopted: AdoptedOutbound[] }> {
    const groups = threadGroups(events);
    const routed: Routed[] = [];
    const adopted: AdoptedOutbound[] = [];
    let next = 0;
    const worker = async () => {
      for (let g = groups[next++]; g; g = groups[next++]) {
        for (const e of g) {
          const attempt = await routeOne(e, adopted);
          if (!attempt.ok) break; // keep the thread's order: later events wait for the failed one's retry
          if (attempt.routed) routed.push(attempt.routed);
        }
      }
    };
    await Promise.all(Array.from({ length: Math.min(o.workers, groups.length) }, worker));
    return { routed, adopted };
  }

  async function routeOne(e: InboundEvent, adopted: AdoptedOutbound[]): Promise<Attempt> {
    const mine: AdoptedOutbound[] = [];
    try {
      const routed = await o.store.transaction(async (tx) => {
        await tx.lockThreads([e]);
        return routeIfTurn(tx, e);
      }, txOptions(mine));
      adopted.push(...mine);
      return { ok: true, routed };
    } catch (err) {
      const attempts = e.attempts + 1;
      const final = attempts >= o.maxAttempts;
      const retryAt = o.clock.now() + backoff(attempts + 1);
      o.log.error({ err, eventId: e.id, channel: e.channel, attempts, final }, 'routing an inbound event failed');
      await o.store.failInbound(e.id, err instanceof Error ? err.message : String(err), retryAt, final);
      return { ok: false };
    }
  }

  // New events kick the loop; the poll covers events stored by other instances and retries falling due.
  const loop = createDueLoop({
    clock: o.clock,
    log: o.log,
    name: 'router',
    round: async () => {
      const claimed = await round();
      return { claimed, full: claimed > 0 || handed.length > 0 };
    },
    nextDueAt: async () => (o.clock.now() < recheckUntil ? lastClaimAt + recheckMs : null),
    pollMs: idlePollMs,
  });

  return {
    start: () => loop.start(),
    async stop() {
      await loop.stop();
      await handing;
      handed = [];
      await o.store.releaseLeases(o.owner);
    },
    kick() {
      asked = true;
      loop.kick();
    },
    offer(events) {
      if (overflowed) return;
      if (handed.length + events.length > maxHeld) {
        // They stay reserved for this router in the store: the claims take them, in order.
        overflowed = true;
        handed = [];
        o.log.warn({ held: maxHeld }, 'routing is behind; taking new events from the store');
      } else {
        handed.push(...events);
      }
      loop.kick();
    },
    async drain() {
      draining = true;
      try {
        while ((await loop.round()).claimed > 0 || handed.length > 0) {}
      } finally {
        draining = false;
      }
      await handing;
    },
  };
}

/** Events by thread, each thread's in order, threads in the order of their first event. */
function threadGroups(events: InboundEvent[]): InboundEvent[][] {
  const byThread = new Map<string, InboundEvent[]>();
  for (const e of events) {
    const key = `${e.channel}\u0000${e.threadKey}`;
    const list = byThread.get(key);
    if (list) list.push(e);
    else byThread.set(key, [e]);
  }
  return [...byThread.values()];
}
