/**
 * Messenger through the whole router: webhooks signed as Meta signs them →
 * the router in a child process (SQLite, synchronous=full) → routed
 * (classify + flow) → the reply posted to the fake Graph API in this process.
 * Run as a script (META_BENCH_CHILD=1) it is that child.
 *
 * Every reply goes out from one Page, the outbox's destination for Meta, so
 * the channel's default limit (Meta's 300 Send API calls/s per Page) caps the
 * reply rate; that cap is part of what is measured.
 */
import { spawn } from 'node:child_process';
import { mkdtemp, rm } from 'node:fs/promises';
import { Agent, request } from 'node:http';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { createInterface } from 'node:readline';
import { fileURLToPath } from 'node:url';
import { facebookDefinition } from '../../adapters/meta/definition.ts';
import { startApp } from '../../src/app.ts';
import { createLogger } from '../../src/log.ts';
import { ACCESS_TOKEN, APP_SECRET, messengerPayload, PAGE_ID, sign, VERIFY_TOKEN } from '../adapters/meta/support.ts';
import { FakeGraphApi } from '../fakes/graph-api.ts';
import { testSettings } from '../support/settings.ts';
import { percentile } from './load.ts';
import type { BenchLine } from './pipeline-bench.ts';

const CUSTOMERS = 500;
const seconds = Number(process.env.BENCH_SECONDS ?? 5);
const connections = Number(process.env.BENCH_CONNECTIONS ?? 64);
const psidOf = (i: number) => String(9_000_000 + (i % CUSTOMERS));

async function childMain(): Promise<void> {
  const settings = facebookDefinition.settings.parse({
    appSecret: APP_SECRET,
    verifyToken: VERIFY_TOKEN,
    accessToken: ACCESS_TOKEN,
    pageId: PAGE_ID,
    graphApiUrl: process.env.API_URL,
  });
  const app = await startApp({
    settings: testSettings({ channels: { facebook: { enabled: true, settings } } }),
    adapters: { facebook: facebookDefinition },
    dataDir: process.env.DATA_DIR ?? '.tmp/meta-bench',
    databaseUrl: null,
    port: 0,
    log: createLogger({ part: 'meta-bench' }),
  });
  process.stdout.write(`${JSON.stringify({ url: app.url })}\n`);
  process.on('SIGTERM', () => void app.stop().then(() => process.exit(0)));
}

async function startChild(env: Record<string, string>) {
  const proc = spawn(process.execPath, [fileURLToPath(import.meta.url)], {
    env: { ...process.env, LOG_LEVEL: 'error', META_BENCH_CHILD: '1', ...env },
    stdio: ['ignore', 'pipe', 'inherit'],
  });
  const exited = new Promise<void>((resolve) => proc.once('exit', () => resolve()));
  const url = await new Promise<string>((resolve, reject) => {
    void exited.then(() => reject(new Error('the Meta bench router exited before serving')));
    createInterface({ input: proc.stdout }).on('line', (line) => {
      const msg = JSON.parse(line) as { url?: string; level?: number };
      if (msg.url && msg.level === undefined) resolve(msg.url);
    });
  });
  return {
    url,
    stop() {
      proc.kill('SIGTERM');
      return exited;
    },
  };
}

const agent = new Agent({ keepAlive: true, maxSockets: 256 });

function postDm(url: string, i: number, prefix: string): Promise<number> {
  const body = JSON.stringify(
    messengerPayload([
      { psid: psidOf(i), mid: `m.${prefix}.${i}`, text: `how much is item ${i}?`, timestamp: Date.now() },
    ]),
  );
  const headers = {
    'content-type': 'application/json',
    'content-length': Buffer.byteLength(body),
    'x-hub-signature-256': sign(body),
  };
  return new Promise((resolve, reject) => {
    const req = request(`${url}/meta/facebook`, { method: 'POST', agent, headers }, (res) => {
      res.resume();
      res.on('end', () => resolve(res.statusCode ?? 0));
    });
    req.on('error', reject);
    req.end(body);
  });
}

/** Replies to one person arrive in the order they wrote: the k-th reply answers their k-th message. */
function tracker(graph: FakeGraphApi) {
  const pending = new Map<string, number[]>();
  const latencies: number[] = [];
  let arrived = 0;
  let last = 0;
  let waiter: (() => void) | null = null;
  graph.onSend = (s) => {
    const started = pending.get(s.to)?.shift();
    if (started === undefined) return;
    latencies.push(s.at - started);
    arrived++;
    last = s.at;
    waiter?.();
  };
  return {
    sent(i: number, at: number) {
      const q = pending.get(psidOf(i)) ?? [];
      q.push(at);
      pending.set(psidOf(i), q);
    },
    reset() {
      pending.clear();
      latencies.length = 0;
      arrived = 0;
    },
    /** Resolves when `expected` replies arrived, or after `ms` with what did. */
    settle(expected: number, ms: number) {
      const done = () => ({ arrived, last, latencies: [...latencies] });
      if (arrived >= expected) return Promise.resolve(done());
      return new Promise<ReturnType<typeof done>>((resolve) => {
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

export async function benchMeta(): Promise<{ max: BenchLine; half: BenchLine }> {
  const graph = await FakeGraphApi.start({ accessToken: ACCESS_TOKEN });
  const dir = await mkdtemp(join(tmpdir(), 'tp-meta-bench-'));
  const child = await startChild({ DATA_DIR: dir, API_URL: graph.url });
  const track = tracker(graph);
  let next = 0;
  const closed = async (ms: number) => {
    let acked = 0;
    const end = performance.now() + ms;
    const client = async () => {
      while (performance.now() < end) {
        const i = next++;
        track.sent(i, performance.now());
        if ((await postDm(child.url, i, 'c')) === 200) acked++;
      }
    };
    await Promise.all(Array.from({ length: connections }, client));
    return acked;
  };
  const line = (rate: number, lat: number[]): BenchLine => ({
    name: 'Messenger webhook → reply at fake Graph',
    rate,
    p50: percentile(lat, 50),
    p99: percentile(lat, 99),
  });
  try {
    await closed(1000);
    await track.settle(next, 30_000);
    track.reset();
    const t0 = performance.now();
    const acked = await closed(seconds * 1000);
    const max = await track.settle(acked, 60_000);
    const rate = max.arrived / ((max.last - t0) / 1000);
    track.reset();

    // open loop at half that rate: latency from each request's scheduled start to its reply at the fake
    const half = rate / 2;
    const total = Math.round(half * seconds);
    const t1 = performance.now();
    const inflight: Promise<number>[] = [];
    for (let k = 0; k < total; k++) {
      const due = t1 + (k * 1000) / half;
      const wait = due - performance.now();
      if (wait > 1) await new Promise((r) => setTimeout(r, wait));
      const i = next++;
      track.sent(i, due);
      inflight.push(postDm(child.url, i, 'o'));
    }
    const ok = (await Promise.all(inflight)).filter((s) => s === 200).length;
    const open = await track.settle(ok, 30_000);
    return { max: line(rate, max.latencies), half: line(open.arrived / seconds, open.latencies) };
  } finally {
    await child.stop();
    await graph.close();
    await rm(dir, { recursive: true, force: true });
  }
}

if (process.env.META_BENCH_CHILD === '1' && process.argv[1] === fileURLToPath(import.meta.url)) await childMain();
