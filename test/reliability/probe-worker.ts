import { Agent, request } from 'node:http';
import { parentPort, workerData } from 'node:worker_threads';

/**
 * The /healthz asking loop, in a worker thread of its own: the suites build,
 * sign and post megabyte payloads and run the provider fakes on the main
 * thread, and a probe timed there would count those stalls as the router's.
 * Instants are absolute (timeOrigin + now), comparable across threads.
 */
const { url, everyMs, timeoutMs } = workerData as { url: string; everyMs: number; timeoutMs: number };
const now = () => performance.timeOrigin + performance.now();
const agent = new Agent({ keepAlive: true, maxSockets: 64 });
const samples: Array<{ due: number; ms: number }> = [];
let timeouts = 0;
let failed = 0;
const pending = new Set<Promise<void>>();

const one = (due: number) =>
  new Promise<void>((resolve) => {
    let settled = false;
    const done = (ok: boolean, timedOut = false) => {
      if (settled) return;
      settled = true;
      samples.push({ due, ms: Math.min(timeoutMs, now() - due) });
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

const t0 = now();
let k = 0;
const tick = () => {
  const due = t0 + k * everyMs;
  k++;
  const p = one(due);
  pending.add(p);
  void p.finally(() => pending.delete(p));
  timer = setTimeout(tick, Math.max(0, t0 + k * everyMs - now()));
};
let timer = setTimeout(tick, 0);

parentPort?.once('message', async () => {
  clearTimeout(timer);
  await Promise.all([...pending]);
  agent.destroy();
  parentPort?.postMessage({ samples, timeouts, failed });
});
