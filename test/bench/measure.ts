/**
 * What the channel benches share: the router child started from the bench's
 * own file, the per-customer reply tracker, and the closed loop (rate) then
 * open loop at half that rate (latency) they all measure.
 */
import { spawn } from 'node:child_process';
import { mkdtemp, rm } from 'node:fs/promises';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { createInterface } from 'node:readline';
import { fileURLToPath } from 'node:url';
import { percentile } from './load.ts';

export interface BenchLine {
  name: string;
  rate: number;
  p50: number;
  p99: number;
}

export const benchSeconds = Number(process.env.BENCH_SECONDS ?? 5);
export const benchConnections = Number(process.env.BENCH_CONNECTIONS ?? 64);

export function benchLine(name: string, rate: number, latencies: number[]): BenchLine {
  return { name, rate, p50: percentile(latencies, 50), p99: percentile(latencies, 99) };
}

/** True when the module at `moduleUrl` was started as its bench's router child (env `flag`=1). */
export function isBenchChild(moduleUrl: string, flag: string): boolean {
  return process.env[flag] === '1' && process.argv[1] === fileURLToPath(moduleUrl);
}

/** In the router child: tells the parent the URL, and stops the app on SIGTERM. */
export function serveAsBenchChild(app: { url: string; stop: () => Promise<void> }): void {
  process.stdout.write(`${JSON.stringify({ url: app.url })}\n`);
  process.on('SIGTERM', () => void app.stop().then(() => process.exit(0)));
}

/**
 * Runs the module at `moduleUrl` as the router child, its data in a fresh
 * temporary folder (env DATA_DIR), and waits for the line with its URL;
 * `stop` ends it and removes the folder.
 */
export function startBenchChild(
  moduleUrl: string,
  flag: string,
  what: string,
  env: Record<string, string>,
): Promise<BenchChild> {
  return startServerChild(fileURLToPath(moduleUrl), what, { [flag]: '1', ...env });
}

export interface BenchChild {
  url: string;
  pid: number;
  stop: () => Promise<void>;
}

/** Runs `script` (it prints {"url"} when it serves) with a fresh DATA_DIR; `stop` ends it and removes the folder. */
export async function startServerChild(script: string, what: string, env: Record<string, string>): Promise<BenchChild> {
  const dir = await mkdtemp(join(tmpdir(), `tp-${what.toLowerCase().replace(/\W+/g, '-')}-bench-`));
  const proc = spawn(process.execPath, [script], {
    env: { ...process.env, LOG_LEVEL: 'error', DATA_DIR: dir, ...env },
    stdio: ['ignore', 'pipe', 'inherit'],
  });
  const exited = new Promise<void>((resolve) => proc.once('exit', () => resolve()));
  const url = await new Promise<string>((resolve, reject) => {
    void exited.then(() => reject(new Error(`the ${what} bench server exited before serving`)));
    createInterface({ input: proc.stdout }).on('line', (line) => {
      let msg: { url?: string; level?: number };
      try {
        msg = JSON.parse(line) as { url?: string; level?: number };
      } catch {
        return;
      }
      if (msg.url && msg.level === undefined) resolve(msg.url);
    });
  });
  return {
    url,
    pid: proc.pid as number,
    async stop() {
      proc.kill('SIGTERM');
      const forced = setTimeout(() => proc.kill('SIGKILL'), 10_000);
      await exited;
      clearTimeout(forced);
      await rm(dir, { recursive: true, force: true });
    },
  };
}

export interface ReplyTracker {
  /** Message `i` was (or was due to be) sent at `at`. */
  sent(i: number, at: number): void;
  /** A reply reached customer `key` at `at`. */
  arrive(key: string, at: number): void;
  reset(): void;
  /** Resolves when `expected` replies arrived, or after `ms` with what did. */
  settle(expected: number, ms: number): Promise<{ arrived: number; last: number; latencies: number[] }>;
}

/**
 * Replies to one customer arrive in the order they wrote (one thread is routed
 * in order and sent in order): the k-th reply answers their k-th message.
 */
export function replyTracker(customerOf: (i: number) => string): ReplyTracker {
  const pending = new Map<string, number[]>();
  const latencies: number[] = [];
  let arrived = 0;
  let last = 0;
  let waiter: (() => void) | null = null;
  return {
    sent(i, at) {
      const q = pending.get(customerOf(i)) ?? [];
      q.push(at);
      pending.set(customerOf(i), q);
    },
    arrive(key, at) {
      const started = pending.get(key)?.shift();
      if (started === undefined) return;
      latencies.push(at - started);
      arrived++;
      last = at;
      waiter?.();
    },
    reset() {
      pending.clear();
      latencies.length = 0;
      arrived = 0;
    },
    settle(expected, ms) {
      const done = () => ({ arrived, last, latencies: [...latencies] });
      if (arrived >= expected) return Promise.resolve(done());
      return new Promise((resolve) => {
        const timer = setTimeout(() => resolve(done()), ms);
        waiter = () => {
          if (arrived < expected) return;
          clearTimeout(timer);
          waiter = null;
          resolve(done());
        };
      });
    },
  };
}

/**
 * A warm-up second, then `benchConnections` clients in a closed loop for the
 * rate replies reach the provider, then an open loop at half that rate for
 * latency from each request's scheduled start to its reply.
 * `send(i, prefix)` posts inbound message `i` and resolves with the HTTP status.
 */
export async function measureChannel(
  name: string,
  send: (i: number, prefix: string) => Promise<number>,
  track: ReplyTracker,
): Promise<{ max: BenchLine; half: BenchLine }> {
  let next = 0;
  const closed = async (ms: number) => {
    let acked = 0;
    const end = performance.now() + ms;
    const client = async () => {
      while (performance.now() < end) {
        const i = next++;
        track.sent(i, performance.now());
        if ((await send(i, 'c')) === 200) acked++;
      }
    };
    await Promise.all(Array.from({ length: benchConnections }, client));
    return acked;
  };
  await closed(1000);
  await track.settle(next, 30_000);
  track.reset();
  const t0 = performance.now();
  const acked = await closed(benchSeconds * 1000);
  const max = await track.settle(acked, 60_000);
  const rate = max.arrived / ((max.last - t0) / 1000);
  track.reset();

  const half = rate / 2;
  const total = Math.round(half * benchSeconds);
  const t1 = performance.now();
  const inflight: Promise<number>[] = [];
  for (let k = 0; k < total; k++) {
    const due = t1 + (k * 1000) / half;
    const wait = due - performance.now();
    if (wait > 1) await new Promise((r) => setTimeout(r, wait));
    const i = next++;
    track.sent(i, due);
    inflight.push(send(i, 'o'));
  }
  const ok = (await Promise.all(inflight)).filter((s) => s === 200).length;
  const open = await track.settle(ok, 30_000);
  return {
    max: benchLine(name, rate, max.latencies),
    half: benchLine(name, open.arrived / benchSeconds, open.latencies),
  };
}
