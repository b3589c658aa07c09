import { Agent, request } from 'node:http';
import { percentile } from '../bench/load.ts';

/**
 * Asks the router's /healthz at a fixed pace (open loop: a stalled router
 * does not slow the asking down, so a stall shows in full) and keeps each
 * answer's time from when it was due. An answer that does not come within
 * `timeoutMs` counts as that long, and as a timeout.
 */
export interface ProbeFigures {
  probes: number;
  p50: number;
  p99: number;
  max: number;
  timeouts: number;
  failed: number;
  /** Each probe: when it was due, and its time (ms). */
  samples: Array<{ due: number; ms: number }>;
}

export interface HealthProbe {
  stop(): Promise<ProbeFigures>;
}

export function probeHealth(url: string, o: { everyMs?: number; timeoutMs?: number } = {}): HealthProbe {
  const everyMs = o.everyMs ?? 50;
  const timeoutMs = o.timeoutMs ?? 2_000;
  const agent = new Agent({ keepAlive: true, maxSockets: 64 });
  const samples: ProbeFigures['samples'] = [];
  let timeouts = 0;
  let failed = 0;
  const pending = new Set<Promise<void>>();
  const one = (due: number) =>
    new Promise<void>((resolve) => {
      let settled = false;
      const done = (ok: boolean, timedOut = false) => {
        if (settled) return;
        settled = true;
        samples.push({ due, ms: Math.min(timeoutMs, performance.now() - due) });
        if (timedOut) timeouts++;
        else if (!ok) failed++;
        resolve();
      };
      const req = request(`${url}/healthz`, { agent, timeout: timeoutMs }, (res) => {
        res.resume();
        res.on('end', () => done(res.statusCode === 200));
      });
      req.on('timeout', () => {
        req.destroy();
        done(false, true);
      });
      req.on('error', () => done(false));
      req.end();
    });
  const t0 = performance.now();
  let k = 0;
  const tick = () => {
    const due = t0 + k * everyMs;
    k++;
    const p = one(due);
    pending.add(p);
    void p.finally(() => pending.delete(p));
    timer = setTimeout(tick, Math.max(0, t0 + k * everyMs - performance.now()));
  };
  let timer = setTimeout(tick, 0);
  return {
    async stop() {
      clearTimeout(timer);
      await Promise.all([...pending]);
      agent.destroy();
      const ms = samples.map((x) => x.ms);
      return {
        probes: ms.length,
        p50: percentile(ms, 50),
        p99: percentile(ms, 99),
        max: Math.max(...ms),
        timeouts,
        failed,
        samples,
      };
    },
  };
}
