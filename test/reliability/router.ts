import { mkdtemp, rm } from 'node:fs/promises';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { silentLogger } from '../../src/log.ts';
import { openStore } from '../../src/store/open.ts';
import { type RouterChild, startRouterChild } from '../support/child-process.ts';
import { freePorts } from '../support/mail-servers/daemon.ts';
import { dropSchema, freshSchema, withSchema } from '../support/pg-schema.ts';
import { PUBLIC_URL } from './channels.ts';

export type StoreKind = 'sqlite' | 'postgres';

/**
 * The router under test as a child process (test/support/router-child.ts) on
 * one fixed port, so providers keep calling the same URL across restarts,
 * with its data in a fresh folder (SQLite) or a fresh schema (PostgreSQL).
 */
export interface Router {
  url: string;
  child: RouterChild | null;
  start(): Promise<void>;
  /** kill -9, and wait until the process is gone. */
  kill(): Promise<void>;
  /** SIGTERM: the router stops as an operator would stop it. */
  stop(): Promise<void>;
  /** What the stopped router left in its store: work not finished, and why messages were given up. */
  leftovers(): Promise<string>;
  /** Stops it if running, then removes its data. */
  close(): Promise<void>;
}

export async function prepareRouter(o: {
  store: StoreKind;
  /** CHANNELS (see router-child.ts). */
  channels: string;
  /** router.yaml, besides the public URL providers sign. */
  router?: Record<string, unknown>;
  /** The shipped example business instead of the small test one. */
  example?: boolean;
  /** Lease timeouts (PostgreSQL: how soon a dead instance's work is taken over). */
  lease?: string;
}): Promise<Router> {
  const databaseUrl = process.env.DATABASE_URL;
  if (o.store === 'postgres' && !databaseUrl)
    throw new Error('the PostgreSQL runs need DATABASE_URL (e.g. postgres://postgres@127.0.0.1:5432/test)');
  const dir = await mkdtemp(join(tmpdir(), 'tp-reliability-'));
  const schema = freshSchema('tp_rel');
  const [port] = (await freePorts(1)) as [number];
  const env: Record<string, string> = {
    DATA_DIR: dir,
    DATABASE_URL: o.store === 'postgres' ? withSchema(databaseUrl as string, schema) : '',
    PORT: String(port),
    CHANNELS: o.channels,
    ROUTER: JSON.stringify({ ...o.router, server: { publicUrl: PUBLIC_URL, ...(o.router?.server as object) } }),
    CONFIG: o.example ? 'example' : '',
    LEASE: o.lease ?? '',
    LOG_LEVEL: 'error',
  };
  const r: Router = {
    url: `http://127.0.0.1:${port}`,
    child: null,
    async start() {
      r.child = await startRouterChild(env, 60_000);
    },
    async kill() {
      const c = r.child;
      r.child = null;
      if (!c) return;
      c.proc.kill('SIGKILL');
      await c.exited;
    },
    async stop() {
      const c = r.child;
      r.child = null;
      if (!c) return;
      c.proc.kill('SIGTERM');
      const forced = setTimeout(() => c.proc.kill('SIGKILL'), 20_000);
      await c.exited;
      clearTimeout(forced);
    },
    async leftovers() {
      const store = await openStore({ dataDir: dir, databaseUrl: env.DATABASE_URL || null, log: silentLogger });
      try {
        const dead = await store.listDeadLetters(1_000);
        const reasons = new Map<string, number>();
        for (const d of dead) {
          const key = `${d.channel}: ${(d.lastError ?? '?').slice(0, 80)}`;
          reasons.set(key, (reasons.get(key) ?? 0) + 1);
        }
        // One reply per message is decided; more outbound rows than inbound ones means a message was routed twice.
        let decidedTwice = 0;
        const seen = new Set<string>();
        // Newest first, a page at a time; `before` one past the last page's oldest keeps ties in, the set drops repeats.
        for (let before: number | undefined, fresh = 1; fresh > 0; ) {
          const page = await store.listConversations({ limit: 1_000, ...(before ? { before } : {}) });
          fresh = 0;
          for (const c of page) {
            if (seen.has(c.id)) continue;
            seen.add(c.id);
            fresh++;
            const messages = await store.listMessages(c.id, { limit: 1_000 });
            const out = messages.filter((m) => m.direction === 'outbound').length;
            if (out > messages.length - out) decidedTwice++;
          }
          before = (page.at(-1)?.updatedAt ?? 0) + 1;
        }
        return (
          `conversations with more replies stored than messages: ${decidedTwice}; left in the store: inbound ${await store.countInbound('pending')} pending, ${await store.countInbound('failed')} failed; ` +
          `outbox ${await store.countOutbox('pending')} pending, ${dead.length} dead` +
          [...reasons].map(([why, n]) => `; ${n} × ${why}`).join('')
        );
      } finally {
        await store.close();
      }
    },
    async close() {
      await r.stop();
      await rm(dir, { recursive: true, force: true });
      if (o.store === 'postgres') await dropSchema(databaseUrl as string, schema);
    },
  };
  return r;
}
