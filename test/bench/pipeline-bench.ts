import { spawn } from 'node:child_process';
import { readFileSync } from 'node:fs';
import { mkdtemp, rm } from 'node:fs/promises';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { createInterface } from 'node:readline';
import { DatabaseSync } from 'node:sqlite';
import { silentLogger } from '../../src/log.ts';
import { openStore, SQLITE_FILE } from '../../src/store/open.ts';
import { startRouterChild } from '../support/child-process.ts';
import { type SinkServer, startSinkServer } from '../support/sink-server.ts';
import { closedLoop, openLoop } from './load.ts';
import { type BenchLine, benchLine, benchConnections as connections, benchSeconds as seconds } from './measure.ts';

// Many customers, so the loop guard (20 automatic replies per conversation in 10 minutes) never silences the load.
const customers = 20_000;

/** Starts a bench server script as a child and reads the URL it prints. */
async function startScript(
  file: string,
  env: Record<string, string> = {},
): Promise<{ url: string; pid: number; stop: () => void }> {
  const proc = spawn(process.execPath, [file], {
    env: { ...process.env, ...env },
    stdio: ['ignore', 'pipe', 'inherit'],
  });
  const line = await new Promise<string>((resolve) => createInterface({ input: proc.stdout! }).once('line', resolve));
  return { url: (JSON.parse(line) as { url: string }).url, pid: proc.pid ?? 0, stop: () => proc.kill('SIGTERM') };
}

/** CPU time a process has used, in µs, from Linux's /proc (all its threads); null elsewhere. */
function cpuOf(pid: number): number | null {
  try {
    const fields = readFileSync(`/proc/${pid}/stat`, 'utf8').split(') ')[1]?.split(' ') ?? [];
    // utime and stime, in clock ticks of 10 ms (USER_HZ is 100 on Linux).
    return (Number(fields[11]) + Number(fields[12])) * 10_000;
  } catch {
    return null;
  }
}

/** What one message cost in CPU during the saturation run: the server's, and this process's (load and provider fake). */
export interface CpuCost {
  server: number;
  bench: number;
}

export interface ReplyBench {
  max: BenchLine;
  half: BenchLine;
  cpu: CpuCost | null;
}

/** Bare node:http: request → response, closed loop for rate, open loop at a given rate for latency. */
export async function benchBaseline(latencyRate: () => number): Promise<{ max: BenchLine; atRate: BenchLine }> {
  const bare = await startScript('test/bench/bare-server.ts');
  try {
    await closedLoop(bare.url, { connections, seconds: 1, prefix: 'warm', customers });
    const max = await closedLoop(bare.url, { connections, seconds, prefix: 'bare', customers });
    const rate = max.acked / max.seconds;
    const at = await openLoop(bare.url, { rate: latencyRate() || rate / 2, seconds, prefix: 'bare-open', customers });
    return {
      max: benchLine('bare node:http', rate, max.ackLatencies),
      atRate: benchLine('bare node:http', at.acked / at.seconds, at.ackLatencies),
    };
  } finally {
    bare.stop();
  }
}

/**
 * Replies per second at the provider fake under a closed loop (saturation),
 * then latency from each request's scheduled start to its reply's arrival in
 * an open loop at half that rate.
 */
async function measureReplies(name: string, inbound: string, sink: SinkServer, pid: number): Promise<ReplyBench> {
  const arrivals = new Map<string, number>();
  sink.onDelivery = (d) => {
    if (d.replyTo) arrivals.set(d.replyTo, d.at);
  };
  const waitFor = async (ids: Iterable<string>, ms: number) => {
    const want = [...ids];
    const end = performance.now() + ms;
    while (want.some((id) => !arrivals.has(id)) && performance.now() < end) await new Promise((r) => setTimeout(r, 20));
  };
  const latencies = (started: Map<string, number>) =>
    [...started].map(([id, t]) => (arrivals.get(id) ?? Number.POSITIVE_INFINITY) - t);

  const warm = await closedLoop(inbound, { connections, seconds: 1, prefix: 'warm', customers });
  await waitFor(warm.startedAt.keys(), 30_000);
  const t0 = performance.now();
  const cpu0 = { server: cpuOf(pid), bench: process.cpuUsage() };
  const max = await closedLoop(inbound, { connections, seconds, prefix: 'max', customers });
  await waitFor(max.startedAt.keys(), 60_000);
  const serverCpu = cpuOf(pid);
  const benchCpu = process.cpuUsage(cpu0.bench);
  const replied = [...max.startedAt.keys()].filter((id) => arrivals.has(id)).length;
  const last = Math.max(...[...max.startedAt.keys()].map((id) => arrivals.get(id) ?? 0));
  const rate = replied / ((last - t0) / 1000);
  const cpu =
    serverCpu === null || cpu0.server === null || replied === 0
      ? null
      : { server: (serverCpu - cpu0.server) / replied, bench: (benchCpu.user + benchCpu.system) / replied };

  const open = await openLoop(inbound, { rate: rate / 2, seconds, prefix: `open-${performance.now()}`, customers });
  await waitFor(open.startedAt.keys(), 30_000);
  return {
    max: benchLine(name, rate, latencies(max.startedAt)),
    half: benchLine(name, open.acked / open.seconds, latencies(open.startedAt)),
    cpu,
  };
}

/**
 * The second baseline: bare node:http doing the same HTTP work as the
 * pipeline (webhook in, reply out to the same provider fake), storing nothing.
 */
export async function benchForwarder(): Promise<ReplyBench> {
  const sink = await startSinkServer();
  const forwarder = await startScript('test/bench/forwarder-server.ts', { SINK_URL: sink.url });
  try {
    return await measureReplies('bare node:http forwarder', `${forwarder.url}/sink/inbound`, sink, forwarder.pid);
  } finally {
    forwarder.stop();
    await sink.close();
  }
}

/**
 * The whole durable pipeline with SQLite: webhook → group-committed store →
 * router (classify, flow, reply decided in one transaction) → outbox → the
 * provider fake. Rate counts replies that reached the provider; latency is
 * from the request's scheduled start to the reply's arrival.
 */
export async function benchPipeline(sync: 'full' | 'normal', o: { facts?: boolean } = {}): Promise<ReplyBench> {
  const dir = await mkdtemp(join(tmpdir(), 'tp-bench-'));
  if (o.facts === false) await withoutFacts(dir);
  const sink = await startSinkServer();
  const child = await startRouterChild({
    DATA_DIR: dir,
    SINK_URL: sink.url,
    SYNC: sync,
    LOG_LEVEL: 'error',
    DATABASE_URL: '',
  });
  try {
    const name = `pipeline SQLite synchronous=${sync}${o.facts === false ? ', no facts' : ''}`;
    return await measureReplies(name, `${child.url}/sink/inbound`, sink, child.proc.pid ?? 0);
  } finally {
    child.proc.kill('SIGTERM');
    await child.exited;
    await sink.close();
    await rm(dir, { recursive: true, force: true });
  }
}

/**
 * A store whose fact tables take no rows (triggers drop every write), for the
 * "before" of the facts' cost: routing runs the same code, the rows and their
 * index entries are never written, and with no summary row to update the fact
 * code has nothing to derive from.
 */
async function withoutFacts(dir: string): Promise<void> {
  await (await openStore({ dataDir: dir, log: silentLogger })).close();
  const db = new DatabaseSync(join(dir, SQLITE_FILE));
  db.exec(`
    create trigger bench_no_facts before insert on facts begin select raise(ignore); end;
    create trigger bench_no_stats before insert on conversation_facts begin select raise(ignore); end;
    create trigger bench_no_stats_update before update on conversation_facts begin select raise(ignore); end;
  `);
  db.close();
}
