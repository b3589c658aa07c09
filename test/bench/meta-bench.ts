/**
 * Messenger through the whole router: webhooks signed as Meta signs them →
 * the router in a child process (SQLite, synchronous=full) → routed
 * (classify + flow) → the reply posted to the fake Graph API in this process.
 * Run as a script (META_BENCH_CHILD=1) it is that child.
 *
 * Every reply goes out from one Page, the outbox's destination for Meta, so
 * the channel's default limit (the Send API's per-Page rate) caps the reply
 * rate; that cap is part of what is measured. Hence the loops here wait for
 * replies, not for the webhook's 200: a webhook is stored far faster than one
 * Page may answer, and a load that only waits for the 200 measures the
 * outbox's growing backlog (seconds of "latency" that grow with the run),
 * then leaves it draining into the next phase.
 *
 * Every message comes from a customer who has not written before in the run:
 * the loop guard silences a conversation after 20 automatic replies in 10
 * minutes, and a silenced customer's missing replies would read as lost ones.
 */
import { mkdtemp, rm } from 'node:fs/promises';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { facebookDefinition } from '../../adapters/meta/definition.ts';
import { startApp } from '../../src/app.ts';
import { createLogger } from '../../src/log.ts';
import { ACCESS_TOKEN, APP_SECRET, messengerPayload, PAGE_ID, sign, VERIFY_TOKEN } from '../adapters/meta/support.ts';
import { FakeGraphApi } from '../fakes/graph-api.ts';
import { testSettings } from '../support/settings.ts';
import { post } from './load.ts';
import {
  type BenchLine,
  benchConnections,
  benchLine,
  benchSeconds,
  isBenchChild,
  serveAsBenchChild,
  startBenchChild,
} from './measure.ts';

const CHILD_FLAG = 'META_BENCH_CHILD';
const NAME = 'Messenger webhook → reply at fake Graph';
/** A reply not at the fake within this long is counted as lost (and fails the bench). */
const REPLY_TIMEOUT_MS = 30_000;
/** PSIDs are unique per message up to this many messages, far more than a run sends. */
const PSIDS = 1_000_000;
const psidOf = (i: number) => String(9_000_000 + (i % PSIDS));

async function childMain(): Promise<void> {
  const settings = facebookDefinition.settings.parse({
    appSecret: APP_SECRET,
    verifyToken: VERIFY_TOKEN,
    accessToken: ACCESS_TOKEN,
    pageId: PAGE_ID,
    apiBaseUrl: process.env.API_URL,
  });
  const app = await startApp({
    settings: testSettings({ channels: { facebook: { enabled: true, settings } } }),
    adapters: { facebook: facebookDefinition },
    dataDir: process.env.DATA_DIR ?? '.tmp/meta-bench',
    databaseUrl: null,
    port: 0,
    log: createLogger({ part: 'meta-bench' }),
  });
  serveAsBenchChild(app);
}

function postDm(url: string, graph: FakeGraphApi, i: number, prefix: string): Promise<number> {
  const payload = messengerPayload([
    { psid: psidOf(i), mid: `m.${prefix}.${i}`, text: `how much is item ${i}?`, timestamp: Date.now() },
  ]);
  graph.delivered(payload);
  const body = JSON.stringify(payload);
  return post(`${url}/meta/facebook`, body, { 'content-type': 'application/json', 'x-hub-signature-256': sign(body) });
}

/** Message → reply round trips against the router child, matched by PSID. */
function roundTrips(url: string, graph: FakeGraphApi) {
  const waiting = new Map<string, (at: number) => void>();
  graph.onSend = (s) => {
    const done = waiting.get(s.to);
    waiting.delete(s.to);
    done?.(s.at);
  };
  let lost = 0;
  /** Posts message `i`; resolves with the instant its reply reached the fake, or null (refused, lost). */
  async function trip(i: number, prefix: string): Promise<number | null> {
    const psid = psidOf(i);
    let timer: NodeJS.Timeout | undefined;
    const replied = new Promise<number | null>((resolve) => {
      waiting.set(psid, resolve);
      timer = setTimeout(() => resolve(null), REPLY_TIMEOUT_MS);
    });
    const status = await postDm(url, graph, i, prefix).catch(() => 0);
    const at = status === 200 ? await replied : null;
    clearTimeout(timer);
    waiting.delete(psid);
    if (at === null) lost++;
    return at;
  }
  return { trip, lost: () => lost };
}

/**
 * A warm-up second, then `benchConnections` customers at a time, each writing
 * as soon as their previous message was answered (closed loop: the reply rate
 * and the round trip at saturation), then an open loop at half that rate
 * (latency from each message's scheduled start to its reply).
 */
async function measure(trip: (i: number, prefix: string) => Promise<number | null>) {
  let next = 0;
  const closed = async (ms: number) => {
    const latencies: number[] = [];
    const t0 = performance.now();
    const end = t0 + ms;
    let last = t0;
    const client = async () => {
      while (performance.now() < end) {
        const started = performance.now();
        const at = await trip(next++, 'c');
        if (at === null) continue;
        latencies.push(at - started);
        last = Math.max(last, at);
      }
    };
    await Promise.all(Array.from({ length: benchConnections }, client));
    return { rate: (latencies.length * 1000) / (last - t0), latencies };
  };
  await closed(1000);
  const max = await closed(benchSeconds * 1000);

  const half = max.rate / 2;
  const total = Math.round(half * benchSeconds);
  const t1 = performance.now();
  const trips: Promise<number | null>[] = [];
  const dueAt: number[] = [];
  for (let k = 0; k < total; k++) {
    const due = t1 + (k * 1000) / half;
    const wait = due - performance.now();
    if (wait > 1) await new Promise((r) => setTimeout(r, wait));
    dueAt.push(due);
    trips.push(trip(next++, 'o'));
  }
  const arrivals = await Promise.all(trips);
  const open = arrivals.flatMap((at, k) => (at === null ? [] : [at - (dueAt[k] as number)]));
  const openSeconds = (Math.max(...arrivals.map((at) => at ?? 0)) - t1) / 1000;
  return {
    max: benchLine(NAME, max.rate, max.latencies),
    half: benchLine(NAME, open.length / openSeconds, open),
  };
}

export async function benchMeta(): Promise<{ max: BenchLine; half: BenchLine }> {
  const graph = await FakeGraphApi.start({ accessToken: ACCESS_TOKEN, pages: [PAGE_ID] });
  const dir = await mkdtemp(join(tmpdir(), 'tp-meta-bench-'));
  const child = await startBenchChild(import.meta.url, CHILD_FLAG, 'Meta', { DATA_DIR: dir, API_URL: graph.url });
  try {
    const rt = roundTrips(child.url, graph);
    const result = await measure(rt.trip);
    if (rt.lost() > 0)
      throw new Error(
        `Meta bench: ${rt.lost()} messages got no reply within ${REPLY_TIMEOUT_MS} ms; the figures would lie`,
      );
    return result;
  } finally {
    graph.onSend = null;
    await child.stop();
    await graph.close();
    await rm(dir, { recursive: true, force: true });
  }
}

if (isBenchChild(import.meta.url, CHILD_FLAG)) await childMain();
