/**
 * Scale-out: the same signed SMS load against one router on SQLite and against
 * K routers on one PostgreSQL schema and one Redis (a prefix of their own),
 * the load spread over the routers. For each setup: replies/s, e2e p50/p99,
 * lost, and CPU per reply split into the routers, the PostgreSQL backends
 * serving them (by their application_name) and the Redis server (server-wide:
 * other clients of that Redis count too). Rounds are interleaved and medians
 * printed, then the ratios issue targets are stated against.
 *
 * BENCH_DATABASE_URL (else DATABASE_URL, else postgres://postgres@127.0.0.1:5432/test) and
 * BENCH_REDIS_URL (else REDIS_URL, else redis://127.0.0.1:6379/0) name the servers;
 * BENCH_SCALE_INSTANCES (1,2,3) and BENCH_SCALE_ROUNDS (3) size the run.
 */
import { execFileSync } from 'node:child_process';
import { randomBytes } from 'node:crypto';
import pg from 'pg';
import { FakeTwilioApi } from '../fakes/twilio-api.ts';
import { cpuMsOf, cpuMsOfAll } from './cpu.ts';
import { percentile } from './load.ts';
import { type BenchChild, benchConnections, benchSeconds } from './measure.ts';
import { ACCOUNT_SID, AUTH_TOKEN, postSms, startSmsRouter, trackReplies } from './sms-bench.ts';

const databaseUrl =
  process.env.BENCH_DATABASE_URL || process.env.DATABASE_URL || 'postgres://postgres@127.0.0.1:5432/test';
const redisUrl = process.env.BENCH_REDIS_URL || process.env.REDIS_URL || 'redis://127.0.0.1:6379/0';

export interface ScaleRound {
  rate: number;
  p50: number;
  p99: number;
  lost: number;
  /** Webhooks not acknowledged (not 200, or the connection failed). */
  failed: number;
  /** CPU ms per reply: the routers, PostgreSQL's backends for them, the Redis server. */
  cpu: { routers: number; postgres: number; redis: number };
}

export interface ScaleSetup {
  name: string;
  store: 'sqlite' | 'postgres';
  instances: number;
  rounds: ScaleRound[];
}

function redisPids(): number[] {
  try {
    return execFileSync('pidof', ['redis-server'], { encoding: 'utf8' }).trim().split(/\s+/).map(Number);
  } catch {
    return [];
  }
}

async function backendPids(admin: pg.Client, app: string): Promise<number[]> {
  const r = await admin.query<{ pid: number }>('select pid from pg_stat_activity where application_name = $1', [app]);
  return r.rows.map((row) => row.pid);
}

async function round(setup: ScaleSetup, admin: pg.Client): Promise<ScaleRound> {
  const tag = `tpbench_${randomBytes(4).toString('hex')}`;
  const api = await FakeTwilioApi.start({ accountSid: ACCOUNT_SID, authToken: AUTH_TOKEN });
  const track = trackReplies(api);
  const url = new URL(databaseUrl);
  url.searchParams.set('schema', tag);
  url.searchParams.set('application_name', tag);
  const shared: Record<string, string> =
    setup.store === 'postgres'
      ? { BENCH_DATABASE_URL: url.toString(), BENCH_REDIS_URL: redisUrl, BENCH_REDIS_PREFIX: tag }
      : {};
  const routers: BenchChild[] = [];
  try {
    // One at a time: the first migrates the schema, the others find it ready.
    for (let k = 0; k < setup.instances; k++) routers.push(await startSmsRouter(api.url, shared));
    let next = 0;
    let failed = 0;
    const load = async (ms: number, prefix: string) => {
      let acked = 0;
      const end = performance.now() + ms;
      await Promise.all(
        Array.from({ length: benchConnections }, async () => {
          while (performance.now() < end) {
            const i = next++;
            track.sent(i, performance.now());
            const router = routers[i % routers.length] as BenchChild;
            // A reset connection (a keep-alive socket closed as it was reused) counts as not acknowledged.
            const status = await postSms(router.url, i, prefix).catch(() => 0);
            if (status === 200) acked++;
            else failed++;
          }
        }),
      );
      return acked;
    };
    await load(1000, 'w');
    await track.settle(next, 30_000);
    track.reset();
    const pids = () => ({
      routers: routers.map((r) => r.pid),
      redis: setup.store === 'postgres' ? redisPids() : [],
    });
    const postgresBefore = new Map<number, number>();
    if (setup.store === 'postgres')
      for (const pid of await backendPids(admin, tag)) postgresBefore.set(pid, cpuMsOf(pid) ?? 0);
    const before = { routers: cpuMsOfAll(pids().routers), redis: cpuMsOfAll(pids().redis) };
    const t0 = performance.now();
    const acked = await load(benchSeconds * 1000, 'm');
    const done = await track.settle(acked, 120_000);
    const replies = Math.max(1, done.arrived);
    // Backends the pool opened during the run count whole; one it closed meanwhile is missed (idle pools keep theirs).
    let postgres = 0;
    if (setup.store === 'postgres')
      for (const pid of await backendPids(admin, tag)) postgres += (cpuMsOf(pid) ?? 0) - (postgresBefore.get(pid) ?? 0);
    const per = (after: number, was: number) => (after - was) / replies;
    return {
      rate: done.arrived / ((done.last - t0) / 1000),
      p50: percentile(done.latencies, 50),
      p99: percentile(done.latencies, 99),
      lost: acked - done.arrived,
      failed,
      cpu: {
        routers: per(cpuMsOfAll(pids().routers), before.routers),
        postgres: postgres / replies,
        redis: per(cpuMsOfAll(pids().redis), before.redis),
      },
    };
  } finally {
    for (const r of routers) await r.stop();
    await api.close();
    if (setup.store === 'postgres') await admin.query(`drop schema if exists "${tag}" cascade`);
  }
}

export async function benchScaleOut(): Promise<ScaleSetup[]> {
  const counts = (process.env.BENCH_SCALE_INSTANCES ?? '1,2,3').split(',').map(Number);
  const rounds = Number(process.env.BENCH_SCALE_ROUNDS ?? 3);
  const setups: ScaleSetup[] = [
    { name: 'SQLite, 1 router', store: 'sqlite', instances: 1, rounds: [] },
    ...counts.map((k) => ({
      name: `PostgreSQL + Redis, ${k} router${k > 1 ? 's' : ''}`,
      store: 'postgres' as const,
      instances: k,
      rounds: [],
    })),
  ];
  const admin = new pg.Client({ connectionString: databaseUrl });
  await admin.connect();
  try {
    for (let r = 0; r < rounds; r++) for (const s of setups) s.rounds.push(await round(s, admin));
  } finally {
    await admin.end();
  }
  return setups;
}
