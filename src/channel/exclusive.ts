import type { Clock } from '../clock.ts';
import type { Logger } from '../log.ts';
import type { Store } from '../store/contract.ts';

export interface ExclusiveWork {
  start(): Promise<void>;
  stop(): Promise<void>;
}

export interface Exclusive {
  /** True while this instance holds the lock and the work runs here. */
  readonly running: boolean;
  /** Stops the work (if it runs here) and gives the lock up, so another instance takes over at once. */
  release(): Promise<void>;
}

/**
 * Runs `work` on one instance at a time: a connection that must exist once (a
 * mailbox's IDLE, a Discord gateway). The lock is a lease renewed every third
 * of its length; when its holder dies, another instance takes over once it
 * expires, and a holder that could not renew in time stops its work.
 */
export async function runExclusive(o: {
  store: Store;
  clock: Clock;
  log: Logger;
  owner: string;
  name: string;
  ttlMs?: number;
  work: ExclusiveWork;
}): Promise<Exclusive> {
  const ttlMs = o.ttlMs ?? 30_000;
  let running = false;
  let released = false;
  let cancel: () => void = () => {};
  let busy: Promise<void> = Promise.resolve();

  async function attempt(): Promise<void> {
    let held = false;
    try {
      held = await o.store.acquireLock(o.name, o.owner, o.clock.now(), ttlMs);
    } catch (err) {
      o.log.warn({ err, lock: o.name }, 'could not renew a lock; assuming it is lost');
    }
    if (released) return;
    if (held && !running) {
      running = true;
      o.log.info({ lock: o.name }, 'lock taken: starting here');
      await o.work.start().catch((err) => o.log.error({ err, lock: o.name }, 'starting exclusive work failed'));
    } else if (!held && running) {
      running = false;
      o.log.warn({ lock: o.name }, 'lock lost: stopping here');
      await o.work.stop().catch((err) => o.log.error({ err, lock: o.name }, 'stopping exclusive work failed'));
    }
  }

  function schedule(): void {
    cancel = o.clock.after(Math.max(1, Math.floor(ttlMs / 3)), () => {
      busy = attempt().finally(() => {
        if (!released) schedule();
      });
    });
  }

  await attempt();
  schedule();
  return {
    get running() {
      return running;
    },
    async release() {
      released = true;
      cancel();
      await busy;
      if (running) {
        running = false;
        await o.work.stop();
      }
      await o.store.releaseLock(o.name, o.owner);
    },
  };
}
