import { HEAVY_BYTES, heavyTurn, prefixByWeight, yieldTurn } from './turns.ts';

/**
 * Group commit: calls that arrive while a write is in progress are written
 * together by the next one, so one transaction serves many callers under
 * load, while a lone call is still written at once. `write` gets the batch
 * and returns one result per item, in order; every caller's promise settles
 * once its batch has committed (or failed) and, given `durable`, once that
 * resolves too — while the next batch is already being written, so a flush to
 * disk holds up the callers who wait for it, not the writes behind them.
 */
export interface GroupCommit<I, R> {
  submit(item: I): Promise<R>;
  /** Resolves when everything submitted so far is written. */
  flush(): Promise<void>;
}

interface Waiting<I, R> {
  item: I;
  resolve: (r: R) => void;
  reject: (e: unknown) => void;
}

export function createGroupCommit<I, R>(
  write: (items: I[]) => Promise<R[]>,
  opts: {
    maxBatch?: number;
    durable?: () => Promise<void>;
    /** With `maxWeight`: a batch ends before the item that would take it past `maxWeight`, and the next waits a turn. */
    weigh?: (item: I) => number;
    maxWeight?: number;
  } = {},
): GroupCommit<I, R> {
  const maxBatch = opts.maxBatch ?? 500;
  const { weigh, maxWeight = Number.POSITIVE_INFINITY } = opts;
  const settling = new Set<Promise<void>>();
  let queue: Waiting<I, R>[] = [];
  let writing: Promise<void> | null = null;

  async function drain(): Promise<void> {
    while (queue.length > 0) {
      const counted = queue.slice(0, maxBatch);
      const batch = weigh ? prefixByWeight(counted, (w) => weigh(w.item), maxWeight) : counted;
      queue = queue.slice(batch.length);
      // a heavy batch is written in a turn of its own (src/turns.ts)
      if (weigh && batch.some((w) => weigh(w.item) > HEAVY_BYTES)) await heavyTurn();
      try {
        const results = await write(batch.map((w) => w.item));
        const settle = () =>
          batch.forEach((w, i) => {
            if (i < results.length) w.resolve(results[i] as R);
            else w.reject(new Error('group commit: the write returned fewer results than items'));
          });
        if (!opts.durable) settle();
        else {
          const done = opts.durable().then(settle, (err: unknown) => {
            for (const w of batch) w.reject(err);
          });
          settling.add(done);
          void done.finally(() => settling.delete(done));
        }
      } catch (err) {
        for (const w of batch) w.reject(err);
      }
      // cut for weight: what is left waits a turn, so one heavy batch after another never holds the loop
      if (batch.length < counted.length) await yieldTurn();
    }
  }

  function start(): void {
    if (writing) return;
    // One macrotask of delay gathers the calls made by requests parsed in the same I/O turn.
    writing = new Promise<void>((done) => setImmediate(done)).then(drain).finally(() => {
      writing = null;
      if (queue.length > 0) start();
    });
  }

  return {
    submit(item) {
      return new Promise<R>((resolve, reject) => {
        queue.push({ item, resolve, reject });
        start();
      });
    },
    async flush() {
      while (writing) await writing;
      await Promise.all(settling);
    },
  };
}
