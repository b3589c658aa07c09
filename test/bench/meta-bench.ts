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
  isBenchChild,
  measureChannel,
  replyTracker,
  serveAsBenchChild,
  startBenchChild,
} from './measure.ts';

const CUSTOMERS = 500;
const CHILD_FLAG = 'META_BENCH_CHILD';
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
  serveAsBenchChild(app);
}

function postDm(url: string, i: number, prefix: string): Promise<number> {
  const body = JSON.stringify(
    messengerPayload([
      { psid: psidOf(i), mid: `m.${prefix}.${i}`, text: `how much is item ${i}?`, timestamp: Date.now() },
    ]),
  );
  return post(`${url}/meta/facebook`, body, { 'content-type': 'application/json', 'x-hub-signature-256': sign(body) });
}

export async function benchMeta(): Promise<{ max: BenchLine; half: BenchLine }> {
  const graph = await FakeGraphApi.start({ accessToken: ACCESS_TOKEN });
  const dir = await mkdtemp(join(tmpdir(), 'tp-meta-bench-'));
  const child = await startBenchChild(import.meta.url, CHILD_FLAG, 'Meta', { DATA_DIR: dir, API_URL: graph.url });
  const track = replyTracker(psidOf);
  graph.onSend = (s) => track.arrive(s.to, s.at);
  try {
    return await measureChannel(
      'Messenger webhook → reply at fake Graph',
      (i, prefix) => postDm(child.url, i, prefix),
      track,
    );
  } finally {
    await child.stop();
    await graph.close();
    await rm(dir, { recursive: true, force: true });
  }
}

if (isBenchChild(import.meta.url, CHILD_FLAG)) await childMain();
