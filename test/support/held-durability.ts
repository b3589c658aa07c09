import type { Store } from '../../src/store/contract.ts';

/**
 * Holds a store's `durable()` until the test lets it go, as a disk that has
 * not finished flushing would: whatever waits for durability must not act
 * meanwhile. Replaces the method on the instance, so the store's own callers
 * (`claimOutbox`) wait too.
 */
export interface HeldDurability {
  /** Calls of `durable()` so far. */
  readonly calls: number;
  /** Lets every waiting and later call through to the store's own `durable()`. */
  release(): void;
}

export function holdDurability(store: Store): HeldDurability {
  const real = store.durable.bind(store);
  let open = () => {};
  const released = new Promise<void>((resolve) => {
    open = resolve;
  });
  let calls = 0;
  store.durable = () => {
    calls += 1;
    return released.then(real);
  };
  return {
    get calls() {
      return calls;
    },
    release: () => open(),
  };
}
