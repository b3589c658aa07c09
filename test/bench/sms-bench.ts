/**
 * SMS through the whole router: webhooks signed as Twilio signs them → the
 * router in a child process (SQLite, synchronous=full) → routed (classify +
 * flow) → the reply sent by the real twilio client to the fake Twilio API in
 * this process. Run as a script (SMS_BENCH_CHILD=1) it is that child.
 *
 * A long code may send 1 SMS/s: each of our numbers is given `ratePerSecond:
 * 1000` (the per-number override in channels.yaml) so the limiter is not what
 * is measured, and inbound messages are spread over 8 numbers because the
 * outbox sends to one destination (our sending number) one at a time.
 */
import { spawn } from 'node:child_process';
import { mkdtemp, rm } from 'node:fs/promises';
import { Agent, request } from 'node:http';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { createInterface } from 'node:readline';
import { fileURLToPath } from 'node:url';
import twilio from 'twilio';
import { smsDefinition } from '../../adapters/twilio/definition.ts';
import { smsSettings } from '../../adapters/twilio/settings.ts';
import { startApp } from '../../src/app.ts';
import { createLogger } from '../../src/log.ts';
import { routerFile } from '../../src/settings/schema.ts';
import { FakeTwilioApi, type RecordedMessage } from '../fakes/twilio-api.ts';
import { testSettings } from '../support/settings.ts';
import { percentile } from './load.ts';
import type { BenchLine } from './pipeline-bench.ts';

const ACCOUNT_SID = 'AC0123456789abcdef0123456789abcdef';
const AUTH_TOKEN = 'bench-auth-token';
const PUBLIC_URL = 'https://touchpoint.example.com';
const OURS = Array.from({ length: 8 }, (_, i) => `+1415555010${i}`);
/** Enough that no conversation gets near the loop guard (20 automatic replies in 10 minutes silence it). */
const CUSTOMERS = 20_000;
const seconds = Number(process.env.BENCH_SECONDS ?? 5);
const connections = Number(process.env.BENCH_CONNECTIONS ?? 64);

const customerOf = (i: number) =>
  `+1555${String(1_000_000 + (i % CUSTOMERS))
    .slice(1)
    .padStart(7, '0')}`;

async function childMain(): Promise<void> {
  const settings = testSettings({
    channels: {
      sms: {
        enabled: true,
        settings: smsSettings.parse({
          accountSid: ACCOUNT_SID,
          authToken: AUTH_TOKEN,
          apiBaseUrl: process.env.API_URL,
          numbers: OURS.map((number) => ({ number, kind: 'longcode', ratePerSecond: 1000 })),
        }),
      },
    },
    router: routerFile.parse({ server: { publicUrl: PUBLIC_URL } }),
  });
  const app = await startApp({
    settings,
    adapters: { sms: smsDefinition },
    dataDir: process.env.DATA_DIR ?? '.tmp/sms-bench',
    databaseUrl: null,
    port: 0,
    log: createLogger({ part: 'sms-bench' }),
  });
  process.stdout.write(`${JSON.stringify({ url: app.url })}\n`);
  process.on('SIGTERM', () => void app.stop().then(() => process.exit(0)));
}

async function startChild(env: Record<string, string>) {
  const proc = spawn(process.execPath, [fileURLToPath(import.meta.url)], {
    env: { ...process.env, LOG_LEVEL: 'error', SMS_BENCH_CHILD: '1', ...env },
    stdio: ['ignore', 'pipe', 'inherit'],
  });
  const exited = new Promise<void>((resolve) => proc.once('exit', () => resolve()));
  const url = await new Promise<string>((resolve, reject) => {
    void exited.then(() => reject(new Error('the SMS bench router exited before serving')));
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

/** One inbound SMS webhook, signed over the public URL; resolves with the HTTP status. */
function postSms(url: string, i: number, prefix: string): Promise<number> {
  const params = {
    AccountSid: ACCOUNT_SID,
    MessageSid: `SM${prefix}${String(i).padStart(24, '0')}`.slice(0, 34),
    From: customerOf(i),
    // One customer always writes to the same number of ours: one thread, so replies keep their order.
    To: OURS[(i % CUSTOMERS) % OURS.length] as string,
    Body: `how much is item ${i}?`,
    NumMedia: '0',
    SmsStatus: 'received',
  };
  const body = new URLSearchParams(params).toString();
  const headers = {
    'content-type': 'application/x-www-form-urlencoded',
    'content-length': Buffer.byteLength(body),
    'x-twilio-signature': twilio.getExpectedTwilioSignature(AUTH_TOKEN, `${PUBLIC_URL}/twilio/sms`, params),
  };
  return new Promise((resolve, reject) => {
    const req = request(`${url}/twilio/sms`, { method: 'POST', agent, headers }, (res) => {
      res.resume();
      res.on('end', () => resolve(res.statusCode ?? 0));
    });
    req.on('error', reject);
    req.end(body);
  });
}

/**
 * Replies reach each customer in the order they wrote (one thread is routed in
 * order, one sending number sends in order): the k-th reply to a customer
 * answers their k-th message.
 */
function tracker(api: FakeTwilioApi) {
  const pending = new Map<string, number[]>();
  const latencies: number[] = [];
  let arrived = 0;
  let last = 0;
  const push = api.messages.push.bind(api.messages);
  // The fake has no arrival hook: wrap its record of created messages.
  api.messages.push = (...items: RecordedMessage[]) => {
    const now = performance.now();
    for (const m of items) {
      const started = pending.get(m.to)?.shift();
      if (started === undefined) continue;
      latencies.push(now - started);
      arrived++;
      last = now;
    }
    return push(...items);
  };
  return {
    sent(i: number, at: number) {
      const q = pending.get(customerOf(i)) ?? [];
      q.push(at);
      pending.set(customerOf(i), q);
    },
    reset() {
      pending.clear();
      latencies.length = 0;
      arrived = 0;
    },
    async settle(expected: number, ms: number) {
      const end = performance.now() + ms;
      while (arrived < expected && performance.now() < end) await new Promise((r) => setTimeout(r, 20));
      return { arrived, last, latencies: [...latencies] };
    },
  };
}

export async function benchSms(): Promise<{ max: BenchLine; half: BenchLine }> {
  const api = await FakeTwilioApi.start({ accountSid: ACCOUNT_SID, authToken: AUTH_TOKEN });
  const dir = await mkdtemp(join(tmpdir(), 'tp-sms-bench-'));
  const child = await startChild({ DATA_DIR: dir, API_URL: api.url });
  const track = tracker(api);
  let next = 0;
  const closed = async (ms: number) => {
    let acked = 0;
    const end = performance.now() + ms;
    const client = async () => {
      while (performance.now() < end) {
        const i = next++;
        track.sent(i, performance.now());
        if ((await postSms(child.url, i, 'c')) === 200) acked++;
      }
    };
    await Promise.all(Array.from({ length: connections }, client));
    return acked;
  };
  try {
    await closed(1000);
    await track.settle(next, 30_000);
    track.reset();
    const t0 = performance.now();
    const acked = await closed(seconds * 1000);
    const max = await track.settle(acked, 30_000);
    const rate = max.arrived / ((max.last - t0) / 1000);
    track.reset();

    // Open loop at half that rate: latency from each request's scheduled start to its reply at the fake.
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
      inflight.push(postSms(child.url, i, 'o'));
    }
    const okHalf = (await Promise.all(inflight)).filter((s) => s === 200).length;
    const open = await track.settle(okHalf, 30_000);
    const line = (rate: number, lat: number[]): BenchLine => ({
      name: 'SMS webhook → reply at fake Twilio',
      rate,
      p50: percentile(lat, 50),
      p99: percentile(lat, 99),
    });
    return { max: line(rate, max.latencies), half: line(open.arrived / seconds, open.latencies) };
  } finally {
    await child.stop();
    await api.close();
    await rm(dir, { recursive: true, force: true });
  }
}

if (process.env.SMS_BENCH_CHILD === '1' && process.argv[1] === fileURLToPath(import.meta.url)) await childMain();
