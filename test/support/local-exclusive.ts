import type { Exclusive, ExclusiveWork } from '../../src/channel/exclusive.ts';

/** For fake hosts: a single instance always holds the lock, so the work starts at once. */
export async function localExclusive(_name: string, work: ExclusiveWork): Promise<Exclusive> {
  await work.start();
  let running = true;
  return {
    get running() {
      return running;
    },
    async release() {
      if (!running) return;
      running = false;
      await work.stop();
    },
  };
}
