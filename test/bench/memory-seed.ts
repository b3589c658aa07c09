import { copyFileSync, existsSync, mkdirSync, mkdtempSync, readFileSync, rmSync, writeFileSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { DatabaseSync } from 'node:sqlite';
import { silentLogger } from '../../src/log.ts';
import { SNOOZE_TIMER } from '../../src/people/snooze.ts';
import { SCHEMA_VERSION } from '../../src/store/migrations.ts';
import { openStore, SQLITE_FILE } from '../../src/store/open.ts';

/**
 * The store of a business a year in: BENCH_MEMORY_CONVERSATIONS (100,000) open
 * SMS conversations with 10 messages each, and 10 pending timers per
 * conversation (1,000,000) due in the coming year, written straight into the
 * tables. Seeded once per schema version and size, kept under .tmp/bench.
 */

const DAY = 86_400_000;
const CACHE = '.tmp/bench';
export const TIMERS_PER_CONVERSATION = 10;
export const MESSAGES_PER_CONVERSATION = 10;

function seed(file: string, n: number, now: number): void {
  const db = new DatabaseSync(file);
  db.exec('pragma journal_mode = wal; pragma synchronous = off;');
  const contact = db.prepare(
    "insert into contacts (id, name, vip, opt_outs, attributes, created_at) values (?, ?, 0, '[]', '{}', ?)",
  );
  const identity = db.prepare(
    "insert into identities (id, contact_id, kind, value, verified) values (?, ?, 'phone', ?, 1)",
  );
  const conv = db.prepare(
    "insert into conversations (id, contact_id, channel, touchpoint_kind, visibility, thread_key, status, priority, tags, links, sla, created_at, updated_at, last_inbound_at) values (?, ?, 'sms', 'sms', 'private', ?, 'open', 'normal', '[]', '[]', '{}', ?, ?, ?)",
  );
  const msg = db.prepare(
    "insert into messages (id, conversation_id, channel, direction, author_kind, author_id, text, attachments, provider_id, status, visibility, created_at) values (?, ?, 'sms', ?, ?, ?, 'how much is a sourdough loaf?', '[]', ?, ?, 'customer', ?)",
  );
  const timer = db.prepare(
    "insert into timers (id, kind, conversation_id, due_at, payload, status, attempts, created_at) values (?, ?, ?, ?, ?, 'pending', 0, ?)",
  );
  db.exec('begin');
  for (let i = 0; i < n; i++) {
    const id = `c${i.toString(36).padStart(8, '0')}`;
    const phone = `+1666${String(i).padStart(7, '0')}`;
    const created = now - Math.floor((((i * 7919) % n) / n) * 300 * DAY);
    contact.run(`k${i}`, `Contact ${i}`, created);
    identity.run(`i${i}`, `k${i}`, phone);
    conv.run(id, `k${i}`, `+14155550100|${phone}`, created, created + 3_600_000, created);
    for (let m = 0; m < MESSAGES_PER_CONVERSATION; m++) {
      const inbound = m % 2 === 0;
      msg.run(
        `${id}m${m}`,
        id,
        inbound ? 'inbound' : 'outbound',
        inbound ? 'contact' : 'bot',
        inbound ? `k${i}` : null,
        `SM${id}${m}`,
        inbound ? 'received' : 'sent',
        created + m * 300_000,
      );
    }
    for (let t = 0; t < TIMERS_PER_CONVERSATION; t++) {
      // Due from 30 days to a year after seeding: the cached store stays pending for a month of benches.
      const spread = (((i * TIMERS_PER_CONVERSATION + t) * 104_729) % 1_000_003) / 1_000_003;
      const due = now + 30 * DAY + Math.floor(spread * 335 * DAY);
      timer.run(`t${i}x${t}`, SNOOZE_TIMER, id, due, JSON.stringify({ until: due }), created);
    }
    if (i % 5000 === 4999) {
      db.exec('commit');
      db.exec('begin');
    }
  }
  db.exec('commit');
  db.exec('pragma wal_checkpoint(truncate)');
  db.close();
}

export interface MemoryStore {
  dir: string;
  conversations: number;
  seedSeconds: number;
  cached: boolean;
}

/** A fresh copy of the seeded store in a new temporary folder (the caller removes `dir`). */
export async function memoryStore(n: number): Promise<MemoryStore> {
  const key = `${CACHE}/memory-v${SCHEMA_VERSION}-${n}`;
  const cached = existsSync(`${key}.json`) && existsSync(`${key}.sqlite`);
  if (!cached) {
    mkdirSync(CACHE, { recursive: true });
    const build = mkdtempSync(join(tmpdir(), 'tp-memory-seed-'));
    try {
      await (await openStore({ dataDir: build, log: silentLogger })).close();
      const t = performance.now();
      seed(join(build, SQLITE_FILE), n, Date.now());
      copyFileSync(join(build, SQLITE_FILE), `${key}.sqlite`);
      writeFileSync(`${key}.json`, JSON.stringify({ seedSeconds: (performance.now() - t) / 1000 }));
    } finally {
      rmSync(build, { recursive: true, force: true });
    }
  }
  const meta = JSON.parse(readFileSync(`${key}.json`, 'utf8')) as { seedSeconds: number };
  const dir = mkdtempSync(join(tmpdir(), 'tp-memory-bench-'));
  copyFileSync(`${key}.sqlite`, join(dir, SQLITE_FILE));
  return { dir, conversations: n, seedSeconds: meta.seedSeconds, cached };
}
