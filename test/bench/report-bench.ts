import { copyFileSync, existsSync, mkdirSync, mkdtempSync, readFileSync, rmSync, writeFileSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { DatabaseSync } from 'node:sqlite';
import { setTimeout } from 'node:timers/promises';
import { type Clock, systemClock } from '../../src/clock.ts';
import { silentLogger } from '../../src/log.ts';
import { storeClosedDays } from '../../src/metrics/kpi-load.ts';
import { buildReport } from '../../src/metrics/report.ts';
import { registerScrapeGauges } from '../../src/metrics/scrape.ts';
import { createTelemetry } from '../../src/metrics/telemetry.ts';
import { policyFiles } from '../../src/settings/policy-schema.ts';
import { SCHEMA_VERSION } from '../../src/store/migrations.ts';
import { openStore, SQLITE_FILE } from '../../src/store/open.ts';
import { weekdayCalendar } from '../support/business.ts';

/**
 * Report and dashboard queries over a large synthetic SQLite store
 * (BENCH_REPORT_CONVERSATIONS, default 100,000, with 10 messages each):
 * rows are written straight into the tables, facts included, as routing
 * would have left them over 90 days.
 */

const DAY = 86_400_000;
const CHANNELS = ['webchat', 'email', 'sms', 'whatsapp', 'facebook'];
const AGENTS = ['ann', 'bob', 'cat', 'dan', null];
const CATEGORIES = ['orders', 'billing', 'feedback', null];

export interface ReportBench {
  conversations: number;
  messages: number;
  facts: number;
  seedSeconds: number;
  cached: boolean;
  timings: { name: string; ms: number; cpuMs?: number }[];
}

export function seed(file: string, n: number, now: number): { messages: number; facts: number } {
  const db = new DatabaseSync(file);
  db.exec('pragma journal_mode = wal; pragma synchronous = off;');
  const contact = db.prepare(
    "insert into contacts (id, name, vip, opt_outs, attributes, created_at) values (?, ?, ?, '[]', '{}', ?)",
  );
  const conv = db.prepare(
    "insert into conversations (id, contact_id, channel, touchpoint_kind, visibility, thread_key, status, category, intent, priority, assignee, tags, links, sla, created_at, updated_at, last_inbound_at) values (?, ?, ?, ?, 'private', ?, ?, ?, ?, 'normal', ?, '[]', '[]', '{}', ?, ?, ?)",
  );
  const msg = db.prepare(
    "insert into messages (id, conversation_id, channel, direction, author_kind, author_id, text, attachments, status, visibility, created_at) values (?, ?, ?, ?, ?, ?, 'synthetic message text', '[]', ?, 'customer', ?)",
  );
  const stats = db.prepare(
    'insert into conversation_facts (conversation_id, channel, created_at, status, first_inbound_at, awaiting_since, last_inbound_at, assigned_at, first_bot_at, first_human_at, last_agent_at, agent, escalated, transferred, reopens, first_resolved_at, resolved_at, handle_ms, breached, first_response_due) values (?, ?, ?, ?, ?, ?, ?, ?, ?, ?, ?, ?, ?, 0, ?, ?, ?, ?, ?, ?)',
  );
  const fact = db.prepare(
    'insert into facts (id, conversation_id, kind, at, started_at, actor, agent, breached, handle_ms, score) values (?, ?, ?, ?, ?, ?, ?, ?, ?, ?)',
  );
  let messages = 0;
  let facts = 0;
  let f = 0;
  const fid = () => `f${(f++).toString(36).padStart(10, '0')}`;
  db.exec('begin');
  for (let i = 0; i < n; i++) {
    const id = `c${i.toString(36).padStart(8, '0')}`;
    const channel = CHANNELS[i % CHANNELS.length] as string;
    const agent = AGENTS[i % AGENTS.length] ?? null;
    // spread evenly over 90 days, in a shuffled order
    const created = now - Math.floor((((i * 7919) % n) / n) * 90 * DAY);
    const resolved = i % 3 !== 0;
    const status = resolved ? 'resolved' : 'open';
    contact.run(`k${i}`, `Contact ${i}`, i % 20 === 0 ? 1 : 0, created);
    const category = CATEGORIES[i % CATEGORIES.length] ?? null;
    conv.run(
      id,
      `k${i}`,
      channel,
      channel,
      `${channel}:${i}`,
      status,
      category,
      category === 'feedback' ? 'complaint' : null,
      agent,
      created,
      created + 3_600_000,
      created,
    );
    for (let m = 0; m < 10; m++) {
      const inbound = m % 2 === 0;
      const author = inbound ? 'contact' : m === 1 || !agent ? 'bot' : 'agent';
      msg.run(
        `${id}m${m}`,
        id,
        channel,
        inbound ? 'inbound' : 'outbound',
        author,
        inbound ? `k${i}` : agent,
        inbound ? 'received' : 'sent',
        created + m * 300_000,
      );
      messages++;
    }
    const firstHuman = agent ? created + 15 * 60_000 : null;
    const resolvedAt = resolved ? created + 3_600_000 : null;
    stats.run(
      id,
      channel,
      created,
      status,
      created,
      resolved ? null : created + 40 * 60_000,
      created + 40 * 60_000,
      agent ? created + 5 * 60_000 : null,
      created + 5 * 60_000,
      firstHuman,
      firstHuman,
      agent,
      i % 11 === 0 ? 1 : 0,
      i % 13 === 0 ? 1 : 0,
      resolvedAt,
      resolvedAt,
      agent ? 12 * 60_000 : 0,
      i % 17 === 0 ? 1 : 0,
      created + 3_600_000,
    );
    fact.run(fid(), id, 'first_response', created + 5 * 60_000, created, 'bot', null, null, null, null);
    facts++;
    if (agent) {
      fact.run(
        fid(),
        id,
        'first_response',
        created + 15 * 60_000,
        created,
        'agent',
        agent,
        i % 17 === 0 ? 1 : 0,
        10 * 60_000,
        null,
      );
      fact.run(
        fid(),
        id,
        'next_response',
        created + 35 * 60_000,
        created + 30 * 60_000,
        'agent',
        agent,
        0,
        5 * 60_000,
        null,
      );
      facts += 2;
    }
    if (resolvedAt) {
      fact.run(fid(), id, 'resolved', resolvedAt, created, null, agent, null, agent ? 12 * 60_000 : 0, null);
      facts++;
      if (i % 4 === 0) {
        fact.run(fid(), id, 'csat', resolvedAt + 60_000, null, null, agent, null, null, 1 + (i % 5));
        facts++;
      }
    }
    if (i % 5000 === 4999) {
      db.exec('commit');
      db.exec('begin');
    }
  }
  db.exec('commit');
  db.exec('pragma wal_checkpoint(truncate)');
  db.close();
  return { messages, facts };
}

export interface Seeded {
  dir: string;
  /** The instant the data was seeded against: every query and page reads as of then. */
  now: number;
  clock: Clock;
  messages: number;
  facts: number;
  seedSeconds: number;
  /** Taken from the cache under .tmp/bench (seeding again only for a new schema version or size). */
  cached: boolean;
}

const CACHE = '.tmp/bench';

/**
 * A fresh copy of the synthetic store of `n` conversations in a new temporary
 * directory. Seeding a million messages takes a while on a shared machine, so
 * the seeded file is kept under .tmp/bench, keyed by the schema version and the
 * size, and copied; the copy reads as of the instant it was seeded.
 */
export async function seededStore(n: number, prefix: string): Promise<Seeded> {
  const key = `${CACHE}/report-v${SCHEMA_VERSION}-${n}`;
  const cached = existsSync(`${key}.json`) && existsSync(`${key}.sqlite`);
  let seedSeconds = 0;
  if (!cached) {
    mkdirSync(CACHE, { recursive: true });
    const build = mkdtempSync(join(tmpdir(), 'tp-bench-seed-'));
    try {
      const now = Date.now();
      await (await openStore({ dataDir: build, log: silentLogger })).close();
      const t = performance.now();
      const counts = seed(join(build, SQLITE_FILE), n, now);
      seedSeconds = (performance.now() - t) / 1000;
      copyFileSync(join(build, SQLITE_FILE), `${key}.sqlite`);
      writeFileSync(`${key}.json`, JSON.stringify({ now, ...counts, seedSeconds }));
    } finally {
      rmSync(build, { recursive: true, force: true });
    }
  }
  const meta = JSON.parse(readFileSync(`${key}.json`, 'utf8')) as {
    now: number;
    messages: number;
    facts: number;
    seedSeconds: number;
  };
  const dir = mkdtempSync(join(tmpdir(), prefix));
  copyFileSync(`${key}.sqlite`, join(dir, SQLITE_FILE));
  const clock: Clock = { now: () => meta.now, after: systemClock.after };
  return {
    dir,
    now: meta.now,
    clock,
    messages: meta.messages,
    facts: meta.facts,
    seedSeconds: cached ? meta.seedSeconds : seedSeconds,
    cached,
  };
}

const cpuMs = () => {
  const u = process.cpuUsage();
  return (u.user + u.system) / 1000;
};

/** Wall time, and the CPU time of this process: on a shared machine the first depends on the neighbours. */
async function timed(timings: ReportBench['timings'], name: string, fn: () => Promise<unknown>): Promise<void> {
  const t = performance.now();
  const c = cpuMs();
  await fn();
  timings.push({ name, ms: performance.now() - t, cpuMs: cpuMs() - c });
}

export async function benchReports(): Promise<ReportBench> {
  const n = Number(process.env.BENCH_REPORT_CONVERSATIONS ?? 100_000);
  const seeded = await seededStore(n, 'tp-report-bench-');
  const { dir, now, messages, facts, seedSeconds } = seeded;
  try {
    const store = await openStore({ dataDir: dir, log: silentLogger });
    const calendar = weekdayCalendar();
    const targets = policyFiles['targets.yaml'].parse({});
    const sla = policyFiles['sla.yaml'].parse({ policies: [{ name: 'standard', firstResponse: '1h' }] });
    const report = (days: number, by?: 'channel' | 'agent') =>
      buildReport(store, {
        from: now - days * DAY,
        to: now,
        now,
        calendar,
        targets,
        sla,
        complaints: ['complaint'],
        ...(by ? { by } : {}),
      });
    const timings: ReportBench['timings'] = [];
    // once per store, in the background from the dashboard's start (src/dashboard/overview.ts); timed alone
    await timed(timings, '(KPI days stored, 90 days, once)', () => storeClosedDays(store, now, 90));
    await timed(timings, 'report 7 days', () => report(7));
    await timed(timings, 'report 7 days by agent', () => report(7, 'agent'));
    await timed(timings, 'report 30 days by channel', () => report(30, 'channel'));
    await timed(timings, 'conversation list, first page of 50', () => store.listConversations({ limit: 50 }));
    await timed(timings, 'conversation list, open, page of 50', () =>
      store.listConversations({ limit: 50, status: ['open'] }),
    );
    const telemetry = createTelemetry();
    // the longest gap between ticks of a 10 ms interval: how long the event loop was held
    let last = performance.now();
    let stall = 0;
    const tick = setInterval(() => {
      const t = performance.now();
      stall = Math.max(stall, t - last);
      last = t;
    }, 10);
    const started = performance.now();
    registerScrapeGauges({ telemetry, store, clock: seeded.clock, calendar, targets, sla, log: silentLogger });
    await timed(timings, '/metrics, scrape while KPIs are computed', () => telemetry.registry.metrics());
    while (!/^touchpoint_kpi\{/m.test(await telemetry.registry.metrics())) await setTimeout(50);
    timings.push({ name: '/metrics, KPIs ready (in the background)', ms: performance.now() - started });
    clearInterval(tick);
    timings.push({ name: '  longest event-loop stall meanwhile', ms: stall });
    await timed(timings, '/metrics, next scrape (KPIs cached)', () => telemetry.registry.metrics());
    await store.close();
    return { conversations: n, messages, facts, seedSeconds, cached: seeded.cached, timings };
  } finally {
    rmSync(dir, { recursive: true, force: true });
  }
}
