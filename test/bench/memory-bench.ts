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
/** Timers put due during each seeded round, spread over its first DUE_SPREAD_MS. */
const DUE_TIMERS = 400;
const DUE_SPREAD_MS = 10_000;
const DUE_AFTER_MS = 2_000;

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
  /** Timer lag (fired − due), ms, of the timers due during the round; empty for the empty store. */
  lags: number[];
  dueTimers: number;
}

/** Puts DUE_TIMERS snooze wake-ups (stale: their conversations are open) due over the round's first seconds. */
function addDueTimers(dir: string, from: number, conversations: number): void {
  const db = new DatabaseSync(join(dir, SQLITE_FILE));
  const insert = db.prepare(
    "insert into timers (id, kind, conversation_id, due_at, payload, status, attempts, created_at) values (?, ?, ?, ?, '{}', 'pending', 0, ?)",
  );
  db.exec('begin');
  for (let i = 0; i < DUE_TIMERS; i++) {
    const due = from + Math.floor((i * DUE_SPREAD_MS) / DUE_TIMERS);
    insert.run(
      `due${i}`,
      SNOOZE_TIMER,
      `c${((i * 97) % conversations).toString(36).padStart(8, '0')}`,
      due,
      Date.now(),
    );
  }
  db.exec('commit');
  db.close();
}

function lagsOf(dir: string): number[] {
  const db = new DatabaseSync(join(dir, SQLITE_FILE), { readOnly: true });
  const rows = db
    .prepare("select completed_at - due_at as lag from timers where id like 'due%' and completed_at is not null")
    .all() as { lag: number }[];
  db.close();
  return rows.map((r) => r.lag);
}

/** One round of the SMS load on the seeded store (`seeded`) or an empty one. */
export async function storeRound(seeded: boolean, conversations: number): Promise<StoreRound> {
  const store = seeded ? await memoryStore(conversations) : null;
  const dir = store?.dir ?? (await mkdtemp(join(tmpdir(), 'tp-memory-bench-')));
  const dueFrom = Date.now() + DUE_AFTER_MS;
  if (store) addDueTimers(dir, dueFrom, conversations);
  const api = await FakeTwilioApi.start({ accountSid: ACCOUNT_SID, authToken: AUTH_TOKEN });
  const child = await startSmsRouter(api.url, { DATA_DIR: dir });
  let stopped = false;
  try {
    await new Promise((r) => setTimeout(r, 1_000));
    const idleRss = rssOf(child.pid)?.rss ?? Number.NaN;
    const track = trackReplies(api);
    const { max, half } = await measureChannel('SMS', (i, prefix) => postSms(child.url, i, prefix), track);
    const peakRss = rssOf(child.pid)?.peak ?? Number.NaN;
    // Every timer put due must have had its chance to fire (a second after the last one's due time).
    const lastDue = dueFrom + DUE_SPREAD_MS + 1_000;
    if (store && Date.now() < lastDue) await new Promise((r) => setTimeout(r, lastDue - Date.now()));
    // Stopped before the timers are read: the store is then closed and checkpointed.
    await child.stop();
    stopped = true;
    return {
      rate: max.rate,
      halfP99: half.p99,
      idleRss,
      peakRss,
      lags: store ? lagsOf(dir) : [],
      dueTimers: store ? DUE_TIMERS : 0,
    };
  } finally {
    if (!stopped) await child.stop();
    await api.close();
    rmSync(dir, { recursive: true, force: true });
  }
}

export const lagP99 = (lags: number[]) => percentile(lags, 99);
