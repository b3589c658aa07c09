import { once } from 'node:events';
import { Worker } from 'node:worker_threads';
import { percentile } from '../bench/load.ts';

/**
 * Asks the router's /healthz at a fixed pace (open loop: a stalled router
 * does not slow the asking down, so a stall shows in full) and keeps each
 * answer's time from when it was due. An answer that does not come within
 * `timeoutMs` counts as that long, and as a timeout. The asking runs in a
 * worker thread (probe-worker.ts), so only the router's stalls are counted.
 */
export interface ProbeFigures {
  probes: number;
  p50: number;
  p99: number;
  max: number;
  timeouts: number;
  failed: number;
  /** Each probe: when it was due (this thread's performance.now()), and its time (ms). */
  samples: Array<{ due: number; ms: number }>;
}

export interface HealthProbe {
  stop(): Promise<ProbeFigures>;
}

export function probeHealth(url: string, o: { everyMs?: number; timeoutMs?: number } = {}): HealthProbe {
  const worker = new Worker(new URL('./probe-worker.ts', import.meta.url), {
    workerData: { url, everyMs: o.everyMs ?? 50, timeoutMs: o.timeoutMs ?? 2_000 },
  });
  return {
    async stop() {
      worker.postMessage('stop');
      const [result] = (await once(worker, 'message')) as [Omit<ProbeFigures, 'probes' | 'p50' | 'p99' | 'max'>];
      await worker.terminate();
      const samples = result.samples.map((x) => ({ due: x.due - performance.timeOrigin, ms: x.ms }));
      const ms = samples.map((x) => x.ms);
      return {
        probes: ms.length,
        p50: percentile(ms, 50),
        p99: percentile(ms, 99),
        max: Math.max(...ms),
        timeouts: result.timeouts,
        failed: result.failed,
        samples,
      };
    },
  };
}
