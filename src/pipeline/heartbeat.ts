import type { Clock } from '../clock.ts';
import { parseDuration } from '../duration.ts';
import type { Logger } from '../log.ts';
import type { Store } from '../store/contract.ts';
import type { InstanceRegistry, TakenOver } from '../store/instances.ts';

/**
 * Routers sharing a PostgreSQL store beat every `everyMs`; each beat also
 * looks for instances silent for `silentMs` whose PostgreSQL session is gone
 * and hands their leased webhooks, replies and timers back, so a crashed
 * router's work moves within seconds rather than when its leases run out.
 * Each takeover is logged with what moved; a silent router whose session is
 * alive is stalled, logged once, and keeps its work.
 */
export interface HeartbeatOptions {
  registry: InstanceRegistry;
  instance: string;
  clock: Clock;
  log: Logger;
  everyMs: number;
  silentMs: number;
  onTakenOver?: (t: TakenOver) => void;
}

export interface Heartbeat {
  start(): Promise<void>;
  /** One beat and one look for silent instances (the loop's step; tests call it directly). */
  tick(): Promise<TakenOver[]>;
  /** Stops beating and removes this instance's row (a stop, not a death). */
  stop(): Promise<void>;
}

export function createHeartbeat(o: HeartbeatOptions): Heartbeat {
  let cancel: (() => void) | null = null;
  let running: Promise<unknown> = Promise.resolve();
  let stopped = false;
  let started = false;
  /** Stalled instances already logged, until they beat again or are taken over. */
  const stalledSeen = new Set<string>();

  const tick = async (): Promise<TakenOver[]> => {
    const known = await o.registry.beat(o.instance, o.clock.now());
    if (!known && started)
      o.log.error(
        { instance: o.instance },
        'another router took this one for dead (no heartbeat for too long: a stalled event loop or store?) and took its work; beating again',
      );
    started = true;
    const { taken, stalled } = await o.registry.takeOverSilent(o.clock.now(), o.silentMs, o.instance);
    for (const s of stalled)
      if (!stalledSeen.has(s.instance))
        o.log.warn(
          { instance: s.instance, silentMs: s.silentMs },
          'a router is silent but its PostgreSQL session is alive (stalled, not dead): its work stays with it',
        );
    const stalledNow = new Set(stalled.map((s) => s.instance));
    for (const id of stalledSeen) if (!stalledNow.has(id)) stalledSeen.delete(id);
    for (const id of stalledNow) stalledSeen.add(id);
    for (const t of taken) {
      o.log.warn(
        { instance: t.instance, silentMs: t.silentMs, ...t.released },
        `took over the work of a silent router: ${t.released.inbound} webhooks, ${t.released.outbox} replies, ${t.released.timers} timers`,
      );
      o.onTakenOver?.(t);
    }
    return taken;
  };

  const loop = () => {
    if (stopped) return;
    running = tick()
      .catch((err) => o.log.warn({ err }, 'heartbeat failed; trying again'))
      .finally(() => {
        if (!stopped) cancel = o.clock.after(o.everyMs, loop);
      });
  };

  return {
    async start() {
      await tick();
      cancel = o.clock.after(o.everyMs, loop);
    },
    tick,
    async stop() {
      stopped = true;
      cancel?.();
      await running;
      await o.registry.leave(o.instance);
    },
  };
}

/** A router's heartbeat on a shared PostgreSQL store, from router.yaml; none on SQLite (one router: nobody to take over). */
export function instanceHeartbeat(
  store: Store,
  o: Pick<HeartbeatOptions, 'instance' | 'clock' | 'log' | 'onTakenOver'> & {
    pipeline: { heartbeat: string; takeOverAfter: string };
  },
): Heartbeat | null {
  if (store.kind !== 'postgres') return null;
  return createHeartbeat({
    registry: store,
    instance: o.instance,
    clock: o.clock,
    log: o.log,
    everyMs: parseDuration(o.pipeline.heartbeat),
    silentMs: parseDuration(o.pipeline.takeOverAfter),
    ...(o.onTakenOver ? { onTakenOver: o.onTakenOver } : {}),
  });
}
