import { Worker } from 'node:worker_threads';
import type { Logger } from '../log.ts';

/**
 * Moves WAL checkpoints off the event loop. With SQLite's automatic
 * checkpoints, the commit that crosses the threshold copies a thousand pages
 * into the database and flushes it, holding up every request for
 * milliseconds; here a worker thread does that every `everyMs` on its own
 * connection, and the main connection only checkpoints itself as a backstop
 * (`backstopPages`) should the worker fall far behind.
 */
export interface Checkpointer {
  /** The WAL size at which the main connection still checkpoints on its own. */
  readonly backstopPages: number;
  stop(): Promise<void>;
}

export function startCheckpointer(file: string, log: Logger, everyMs = 50): Checkpointer {
  const worker = new Worker(new URL('./checkpoint-worker.ts', import.meta.url), {
    workerData: { file, everyMs },
    // It holds one prepared statement: a small heap keeps the thread from costing the router's memory.
    resourceLimits: { maxOldGenerationSizeMb: 16, maxYoungGenerationSizeMb: 2, codeRangeSizeMb: 8 },
  });
  worker.on('message', (m: { error?: string }) => {
    if (m.error) log.warn({ error: m.error }, 'background WAL checkpoint failed; retrying');
  });
  worker.on('error', (err) => log.error({ err }, 'the WAL checkpoint thread stopped'));
  // Never keep the process alive on its own account.
  worker.unref();
  const exited = new Promise<void>((resolve) => worker.once('exit', () => resolve()));
  return {
    backstopPages: 10_000,
    async stop() {
      // Held until it has closed its connection: the main one must close last.
      worker.ref();
      worker.postMessage('stop');
      await exited;
    },
  };
}
