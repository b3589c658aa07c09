import { mkdirSync } from 'node:fs';
import { join } from 'node:path';
import { DatabaseSync } from 'node:sqlite';
import { Kysely, PostgresDialect } from 'kysely';
import type { Pool } from 'pg';
import { StoreError, TouchpointError } from '../errors.ts';
import { createLogger, type Logger } from '../log.ts';
import { startCheckpointer } from './checkpointer.ts';
import type { Store } from './contract.ts';
import { KyselyStore } from './kysely-store.ts';
import { lifeSessions } from './life-session.ts';
import { preparingPool } from './pg-prepared.ts';
import { INCREMENTAL } from './retention.ts';
import type { Database } from './schema.ts';
import { nodeSqliteDialect } from './sqlite-dialect.ts';
import { createWalSync } from './wal-sync.ts';

export interface OpenStoreOptions {
  /**
   * `postgres://…` selects PostgreSQL; `?schema=name` (or `schema`) sets the search path;
   * `?prepare=off` runs statements unnamed (for a pooler that cannot keep prepared statements).
   */
  databaseUrl?: string | null;
  /** Where the embedded SQLite file lives when no databaseUrl is given. */
  dataDir: string;
  /** SQLite durability: `full` (default) survives power loss; `normal` may lose the last commits. */
  synchronous?: 'full' | 'normal';
  /** PostgreSQL schema to use (created when missing); overrides the URL's `?schema=`. */
  schema?: string;
  /** SQLite: checkpoint the WAL from a worker thread instead of in the committing call (the router). */
  backgroundCheckpoints?: boolean;
  /**
   * SQLite: turn a file made before incremental auto-vacuum into one (a single
   * VACUUM, at open, before anything runs), so retention can give space back
   * while the router runs. New files are made that way regardless.
   */
  incrementalVacuum?: boolean;
  log?: Logger;
}

export const SQLITE_FILE = 'touchpoint.sqlite';
const BUSY_TIMEOUT_MS = 5000;
const UNIQUE_VIOLATION = '23505';
/** Lower case only: search_path folds unquoted names to lower case. */
const SCHEMA_NAME = /^[a-z_][a-z0-9_]{0,62}$/;

/** Opens the configured store and brings its schema up to date. */
export async function openStore(opts: OpenStoreOptions): Promise<Store> {
  const log = opts.log ?? createLogger({ component: 'store' });
  const store = opts.databaseUrl ? await openPostgres(opts.databaseUrl, opts.schema, log) : openSqlite(opts, log);
  try {
    await store.migrate();
  } catch (err) {
    await store.close().catch(() => undefined);
    if (err instanceof TouchpointError) throw err;
    throw new StoreError('store_migration_failed', `Could not prepare the ${store.kind} store: ${message(err)}`, {
      cause: err,
    });
  }
  log.debug({ store: store.kind }, 'store open');
  return store;
}

/** SQLite's page cache (2 MiB by default): reports over a large store re-read the same index pages from it instead of the OS. */
const CACHE_SIZE = -65_536; // negative: KiB, so 64 MiB

function openSqlite(opts: OpenStoreOptions, log: Logger): Store {
  const file = join(opts.dataDir, SQLITE_FILE);
  let db: DatabaseSync | undefined;
  try {
    mkdirSync(opts.dataDir, { recursive: true });
    db = new DatabaseSync(file);
    // Only takes on a file with no table yet, and only before WAL mode writes its header.
    db.exec('pragma auto_vacuum = incremental');
    // Commits are NORMAL (no fsync); where a promise depends on one, the WAL is flushed off the event loop (wal-sync.ts).
    db.exec(
      `pragma journal_mode = wal;
       pragma synchronous = normal;
       pragma busy_timeout = ${BUSY_TIMEOUT_MS};
       pragma foreign_keys = on;
       pragma cache_size = ${CACHE_SIZE};`,
    );
  } catch (err) {
    if (db?.isOpen) db.close();
    throw new StoreError('store_unavailable', `Cannot open the SQLite database ${file}: ${message(err)}`, {
      cause: err,
    });
  }
  if (opts.incrementalVacuum) toIncrementalVacuum(db, file, log);
  const checkpointer = opts.backgroundCheckpoints ? startCheckpointer(file, log) : undefined;
  if (checkpointer) db.exec(`pragma wal_autocheckpoint = ${checkpointer.backstopPages}`);
  const { dialect, statements } = nodeSqliteDialect(db);
  return new KyselyStore(new Kysely<Database>({ dialect }), 'sqlite', log, {
    ...(opts.synchronous === 'normal' ? {} : { walSync: createWalSync(file) }),
    ...(checkpointer ? { checkpointer } : {}),
    statements,
  });
}

/** One VACUUM rewrites the file with auto_vacuum = incremental; it takes as long as copying the file, once. */
function toIncrementalVacuum(db: DatabaseSync, file: string, log: Logger): void {
  const mode = db.prepare('pragma auto_vacuum').get() as { auto_vacuum: number };
  if (mode.auto_vacuum === INCREMENTAL) return;
  const started = Date.now();
  try {
    db.exec('pragma auto_vacuum = incremental; vacuum;');
  } catch (err) {
    // The router works as before; only the space retention frees is not given back to the file system.
    log.warn({ err: message(err), file }, 'could not switch the SQLite file to incremental vacuum');
    return;
  }
  log.info({ file, ms: Date.now() - started }, 'SQLite file switched to incremental vacuum (once)');
}

async function openPostgres(databaseUrl: string, schemaOption: string | undefined, log: Logger): Promise<Store> {
  let url: URL;
  try {
    url = new URL(databaseUrl);
  } catch {
    throw new StoreError(
      'store_bad_url',
      'The database URL is not a valid URL; expected postgres://user@host:5432/db.',
    );
  }
  if (url.protocol !== 'postgres:' && url.protocol !== 'postgresql:') {
    throw new StoreError('store_bad_url', `The database URL must start with postgres://, not ${url.protocol}//.`);
  }
  const schema = schemaOption ?? url.searchParams.get('schema');
  url.searchParams.delete('schema');
  // Behind a pooler that hands each transaction any server connection (PgBouncer before 1.21),
  // a statement prepared on one connection is unknown on the next: `?prepare=off` runs them unnamed.
  const prepare = url.searchParams.get('prepare') !== 'off';
  url.searchParams.delete('prepare');
  if (schema != null && !SCHEMA_NAME.test(schema)) {
    throw new StoreError(
      'store_bad_url',
      `The PostgreSQL schema name ${JSON.stringify(schema)} is not valid: use lower-case letters, digits and _ (at most 63).`,
    );
  }
  // Epoch-ms bigints come back as numbers (node-postgres returns strings by default); exact below 2^53.
  // Loaded only here: a router on the embedded store never pays for the PostgreSQL driver.
  const { default: pg } = await import('pg');
  const types = new pg.TypeOverrides();
  types.setTypeParser(pg.types.builtins.INT8, Number);
  const config = {
    connectionString: url.toString(),
    types,
    ...(schema ? { options: `-c search_path=${schema}` } : {}),
  };
  const pool = new pg.Pool(config);
  // An idle connection dropped by the server must not crash the process; the pool replaces it.
  pool.on('error', (err) => log.warn({ err: message(err) }, 'idle PostgreSQL connection failed'));
  const where = `${url.hostname}:${url.port || 5432}${url.pathname}`;
  try {
    if (schema) await createSchema(pool, schema);
    else await pool.query('select 1');
  } catch (err) {
    await pool.end().catch(() => undefined);
    throw new StoreError('store_unavailable', `Cannot use PostgreSQL at ${where}: ${message(err)}`, { cause: err });
  }
  return new KyselyStore(
    new Kysely<Database>({ dialect: new PostgresDialect({ pool: prepare ? preparingPool(pool, pg.Client) : pool }) }),
    'postgres',
    log,
    {
      lifeSession: lifeSessions(pg, config, log),
    },
  );
}

async function createSchema(pool: Pool, schema: string): Promise<void> {
  try {
    await pool.query(`create schema if not exists "${schema}"`);
  } catch (err) {
    // `if not exists` still races with a process creating the same schema at this instant; theirs will do.
    if ((err as { code?: string }).code !== UNIQUE_VIOLATION) throw err;
  }
}

function message(err: unknown): string {
  return err instanceof Error ? err.message : String(err);
}
