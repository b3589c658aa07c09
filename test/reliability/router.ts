import { mkdtemp, rm } from 'node:fs/promises';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
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
    async close() {
      await r.stop();
      await rm(dir, { recursive: true, force: true });
      if (o.store === 'postgres') await dropSchema(databaseUrl as string, schema);
    },
  };
  return r;
}
