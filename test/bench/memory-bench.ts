/**
 * Memory and start-up: the RSS of `touchpoint start` with the example config,
 * the wall time of three CLI commands, and the SMS router over a store of
 * 100,000 open conversations, 1,000,000 stored messages and 1,000,000 pending
 * timers (memory-seed.ts) against an empty store, in interleaved rounds:
 * RSS, replies/s, p99 at half that rate, and the lag of timers falling due meanwhile.
 */
import { spawn, spawnSync } from 'node:child_process';
import { readFileSync, rmSync } from 'node:fs';
import { mkdtemp } from 'node:fs/promises';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { DatabaseSync } from 'node:sqlite';
import { fileURLToPath } from 'node:url';
import { SNOOZE_TIMER } from '../../src/people/snooze.ts';
import { SQLITE_FILE } from '../../src/store/open.ts';
import { FakeTwilioApi } from '../fakes/twilio-api.ts';
import { percentile } from './load.ts';
import { measureChannel } from './measure.ts';
import { memoryStore } from './memory-seed.ts';
import { ACCOUNT_SID, AUTH_TOKEN, postSms, startSmsRouter, trackReplies } from './sms-bench.ts';

const ROOT = fileURLToPath(new URL('../../', import.meta.url));
const BIN = join(ROOT, 'bin/touchpoint.ts');
/**
 * Timers put due in each seeded round, in two batches written before the router starts: `quiet` ones
 * fall due before the load starts (lag with a million pending, nothing else to do), `load` ones during
 * the closed loop (lag behind a saturated router). Offsets are from the moment they are written.
 */
const BATCHES = {
  quiet: { count: 200, fromMs: 8_000, spreadMs: 4_000 },
  load: { count: 200, fromMs: 15_000, spreadMs: 6_000 },
} as const;
type Batch = keyof typeof BATCHES;
/** The load starts after the quiet batch's last due time. */
const LOAD_AFTER_MS = 13_000;

/** Resident and peak resident memory of a process, MB (Linux /proc); null when unreadable. */
export function rssOf(pid: number): { rss: number; peak: number } | null {
  try {
    const status = readFileSync(`/proc/${pid}/status`, 'utf8');
    const kb = (field: string) => Number(status.match(new RegExp(`^${field}:\\s+(\\d+)`, 'm'))?.[1] ?? Number.NaN);
    return { rss: kb('VmRSS') / 1024, peak: kb('VmHWM') / 1024 };
  } catch {
    return null;
  }
}

/** The store and queue the product's own environment would pick must not move these figures. */
function productEnv(extra: Record<string, string> = {}): NodeJS.ProcessEnv {
  const { DATABASE_URL: _d, REDIS_URL: _r, ...rest } = process.env;
  return { ...rest, LOG_LEVEL: 'warn', LOG_FORMAT: 'json', ...extra };
}

/** `touchpoint start` on the example config and a fresh data folder: RSS once started and 2 s later. */
export async function startUpRss(): Promise<{ startMs: number; rss: number }> {
  const dir = await mkdtemp(join(tmpdir(), 'tp-startup-bench-'));
  const t = performance.now();
  const proc = spawn(process.execPath, [BIN, 'start', '--data', dir], {
    cwd: ROOT,
    env: productEnv({ PORT: '0', LOG_LEVEL: 'info' }),
    stdio: ['ignore', 'pipe', 'inherit'],
  });
  try {
    await new Promise<void>((resolve, reject) => {
      proc.once('exit', (code) => reject(new Error(`touchpoint start exited (${code}) before it started`)));
      proc.stdout.on('data', (chunk: Buffer) => {
        if (chunk.toString().includes('"touchpoint started"')) resolve();
      });
    });
    const startMs = performance.now() - t;
    await new Promise((r) => setTimeout(r, 2_000));
    return { startMs, rss: rssOf(proc.pid as number)?.rss ?? Number.NaN };
  } finally {
    const exited = new Promise((r) => proc.once('exit', r));
    proc.kill('SIGTERM');
    await exited;
    rmSync(dir, { recursive: true, force: true });
  }
}

/** Wall time of one CLI run, ms; throws when it fails. */
export function cliMs(args: string[]): number {
  const t = performance.now();
  const r = spawnSync(process.execPath, [BIN, ...args], { cwd: ROOT, env: productEnv(), encoding: 'utf8' });
  const ms = performance.now() - t;
  if (r.status !== 0) throw new Error(`touchpoint ${args.join(' ')} failed (${r.status}): ${r.stderr}`);
  return ms;
}

export interface StoreRound {
  rate: number;
  halfP99: number;
  idleRss: number;
  peakRss: number;
  /** Timer lag (fired − due), ms, per batch; empty for the empty store. */
  lags: Record<Batch, number[]>;
}

export const timersPerBatch = (batch: Batch) => BATCHES[batch].count;

/** Puts both batches of snooze wake-ups (stale: their conversations are open) due, from `t0` on. */
function addDueTimers(dir: string, t0: number, conversations: number): void {
  const db = new DatabaseSync(join(dir, SQLITE_FILE));
  const insert = db.prepare(
    "insert into timers (id, kind, conversation_id, due_at, payload, status, attempts, created_at) values (?, ?, ?, ?, '{}', 'pending', 0, ?)",
  );
  db.exec('begin');
  for (const [batch, b] of Object.entries(BATCHES)) {
    for (let i = 0; i < b.count; i++) {
      const due = t0 + b.fromMs + Math.floor((i * b.spreadMs) / b.count);
      const conversation = `c${((i * 97) % conversations).toString(36).padStart(8, '0')}`;
      insert.run(`${batch}${i}`, SNOOZE_TIMER, conversation, due, Date.now());
    }
  }
  db.exec('commit');
  db.close();
}

function lagsOf(dir: string, batch: Batch): number[] {
  const db = new DatabaseSync(join(dir, SQLITE_FILE), { readOnly: true });
  const rows = db
    .prepare('select completed_at - due_at as lag from timers where id like ? and completed_at is not null')
    .all(`${batch}%`) as { lag: number }[];
  db.close();
  return rows.map((r) => r.lag);
}

const sleepUntil = async (at: number) => {
  if (Date.now() < at) await new Promise((r) => setTimeout(r, at - Date.now()));
};

/** One round of the SMS load on the seeded store (`seeded`) or an empty one. */
export async function storeRound(seeded: boolean, conversations: number): Promise<StoreRound> {
  const store = seeded ? await memoryStore(conversations) : null;
  const dir = store?.dir ?? (await mkdtemp(join(tmpdir(), 'tp-memory-bench-')));
  const t0 = Date.now();
  if (store) addDueTimers(dir, t0, conversations);
  const api = await FakeTwilioApi.start({ accountSid: ACCOUNT_SID, authToken: AUTH_TOKEN });
  const child = await startSmsRouter(api.url, { DATA_DIR: dir });
  let stopped = false;
  try {
    await new Promise((r) => setTimeout(r, 1_000));
    const idleRss = rssOf(child.pid)?.rss ?? Number.NaN;
    if (store) await sleepUntil(t0 + LOAD_AFTER_MS);
    const track = trackReplies(api);
    const { max, half } = await measureChannel('SMS', (i, prefix) => postSms(child.url, i, prefix), track);
    const peakRss = rssOf(child.pid)?.peak ?? Number.NaN;
    // Every timer put due must have had its chance to fire (a second after the last one's due time).
    if (store) await sleepUntil(t0 + BATCHES.load.fromMs + BATCHES.load.spreadMs + 1_000);
    // Stopped before the timers are read: the store is then closed and checkpointed.
    await child.stop();
    stopped = true;
    return {
      rate: max.rate,
      halfP99: half.p99,
      idleRss,
      peakRss,
      lags: { quiet: store ? lagsOf(dir, 'quiet') : [], load: store ? lagsOf(dir, 'load') : [] },
    };
  } finally {
    if (!stopped) await child.stop();
    await api.close();
    rmSync(dir, { recursive: true, force: true });
  }
}

export const lagP99 = (lags: number[]) => percentile(lags, 99);
