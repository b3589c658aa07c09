/**
 * The comparison a user makes: the same signed Twilio SMS load against
 * Touchpoint and the bots they would pick instead (test/bench/peers, a package
 * of its own so the product never depends on them), every reply through
 * Twilio's REST API to the fake in this process. Interleaved rounds, each
 * system in a fresh process with a fresh fake; medians over the rounds.
 *
 * PEERS_MESSAGES (4000) webhooks from PEERS_SENDERS (500) numbers,
 * PEERS_CONCURRENCY (32) in flight, PEERS_ROUNDS (3) rounds.
 */
import { spawnSync } from 'node:child_process';
import { existsSync } from 'node:fs';
import { fileURLToPath } from 'node:url';
import { FakeTwilioApi, type RecordedMessage } from '../fakes/twilio-api.ts';
import { cpuMsOf } from './cpu.ts';
import { percentile } from './load.ts';
import { type BenchChild, startServerChild } from './measure.ts';
import { ACCOUNT_SID, AUTH_TOKEN, OURS, PUBLIC_URL, postSignedSms, startSmsRouter } from './sms-bench.ts';

const MESSAGES = Number(process.env.PEERS_MESSAGES ?? 4000);
const SENDERS = Number(process.env.PEERS_SENDERS ?? 500);
const CONCURRENCY = Number(process.env.PEERS_CONCURRENCY ?? 32);
const ROUNDS = Number(process.env.PEERS_ROUNDS ?? 3);
const WARM_UP = 200;
const PEERS_DIR = fileURLToPath(new URL('./peers/', import.meta.url));

export interface PeerRound {
  replies: number;
  acked: number;
  lost: number;
  rate: number;
  p50: number;
  p99: number;
  cpuMsPerReply: number;
}

export interface PeerSystem {
  name: string;
  /** Whether its replies are kept across a crash (only then is it a like-for-like competitor on durability). */
  durable: boolean;
  rounds: PeerRound[];
}

interface System {
  name: string;
  durable: boolean;
  start(apiUrl: string): Promise<BenchChild>;
}

const peerEnv = (apiUrl: string) => ({
  API_URL: apiUrl,
  PUBLIC_URL,
  ACCOUNT_SID,
  AUTH_TOKEN,
  NUMBER: OURS[0] as string,
});
const peer =
  (script: string, extra: Record<string, string> = {}) =>
  (apiUrl: string) =>
    startServerChild(`${PEERS_DIR}${script}`, script, { ...peerEnv(apiUrl), ...extra });

const SYSTEMS: System[] = [
  { name: 'Touchpoint (SQLite, synchronous=full)', durable: true, start: startSmsRouter },
  { name: 'Botkit + twilio-sms adapter (memory)', durable: false, start: peer('botkit-sms.ts') },
  {
    name: 'Chat SDK + twilio adapter (memory, queue)',
    durable: false,
    start: peer('chat-sdk-sms.ts', { CONCURRENCY: 'queue' }),
  },
  {
    name: 'Chat SDK, its default concurrency (drop)',
    durable: false,
    start: peer('chat-sdk-sms.ts', { CONCURRENCY: 'drop' }),
  },
];

/** Installs the peers' own package once (they are never the product's dependencies). */
function ensurePeersInstalled(log: (s: string) => void): void {
  if (existsSync(`${PEERS_DIR}node_modules/chat`) && existsSync(`${PEERS_DIR}node_modules/botkit`)) return;
  log('installing the peer bots (test/bench/peers) …');
  const r = spawnSync('npm', ['ci', '--no-audit', '--no-fund'], {
    cwd: PEERS_DIR,
    stdio: 'inherit',
    env: { ...process.env, npm_config_yes: 'true' },
  });
  if (r.status !== 0) throw new Error(`npm ci in test/bench/peers failed (exit ${r.status})`);
}

const sender = (i: number) => `+1555${String(2_000_000 + (i % SENDERS)).slice(1)}`;

async function round(system: System, tag: string): Promise<PeerRound> {
  const api = await FakeTwilioApi.start({ accountSid: ACCOUNT_SID, authToken: AUTH_TOKEN });
  const pending = new Map<string, number[]>();
  const latencies: number[] = [];
  let arrived = 0;
  let last = 0;
  const push = api.messages.push.bind(api.messages);
  api.messages.push = (...items: RecordedMessage[]) => {
    const now = performance.now();
    for (const m of items) {
      // One sender's replies come back in the order they wrote: the k-th answers the k-th.
      const started = m.to ? pending.get(m.to)?.shift() : undefined;
      if (started === undefined) continue;
      latencies.push(now - started);
      arrived++;
      last = now;
    }
    return push(...items);
  };
  const child = await system.start(api.url);
  try {
    const load = async (count: number, prefix: string) => {
      let next = 0;
      let acked = 0;
      const client = async () => {
        for (let i = next++; i < count; i = next++) {
          const from = sender(i);
          const q = pending.get(from) ?? [];
          q.push(performance.now());
          pending.set(from, q);
          const status = await postSignedSms(child.url, {
            sid: `SM${tag}${prefix}${String(i).padStart(29, '0')}`.slice(0, 34),
            from,
            to: OURS[i % OURS.length] as string,
            body: `how much is a sourdough loaf? (${i})`,
          }).catch(() => 0);
          if (status >= 200 && status < 300) acked++;
        }
      };
      await Promise.all(Array.from({ length: CONCURRENCY }, client));
      return acked;
    };
    // Quiet for 3 s, or 60 s in all: what has not arrived by then is lost.
    const settle = async (expected: number) => {
      const end = performance.now() + 60_000;
      let seen = -1;
      let quietSince = performance.now();
      while (arrived < expected && performance.now() < end && performance.now() - quietSince < 3_000) {
        await new Promise((r) => setTimeout(r, 100));
        if (arrived !== seen) {
          seen = arrived;
          quietSince = performance.now();
        }
      }
    };
    await settle(await load(WARM_UP, 'w'));
    pending.clear();
    latencies.length = 0;
    arrived = 0;
    const cpu0 = cpuMsOf(child.pid) ?? 0;
    const t0 = performance.now();
    const acked = await load(MESSAGES, 'm');
    await settle(acked);
    const cpu = (cpuMsOf(child.pid) ?? 0) - cpu0;
    return {
      replies: arrived,
      acked,
      lost: Math.max(0, acked - arrived),
      rate: arrived / ((last - t0) / 1000),
      p50: percentile(latencies, 50),
      p99: percentile(latencies, 99),
      cpuMsPerReply: cpu / Math.max(1, arrived),
    };
  } finally {
    await child.stop();
    await api.close();
  }
}

export async function benchPeers(log: (s: string) => void): Promise<PeerSystem[]> {
  ensurePeersInstalled(log);
  const results: PeerSystem[] = SYSTEMS.map((s) => ({ name: s.name, durable: s.durable, rounds: [] }));
  for (let r = 0; r < ROUNDS; r++) {
    for (const [k, system] of SYSTEMS.entries()) {
      const figures = await round(system, `${r}${k}`);
      results[k]?.rounds.push(figures);
      log(
        `  round ${r + 1}, ${system.name}: ${figures.rate.toFixed(0)} replies/s, ${figures.cpuMsPerReply.toFixed(2)} ms CPU/reply, lost ${figures.lost}`,
      );
    }
  }
  return results;
}

export const PEERS_LOAD = `${MESSAGES} Twilio-signed SMS webhooks from ${SENDERS} numbers, ${CONCURRENCY} in flight, ${ROUNDS} interleaved rounds`;
