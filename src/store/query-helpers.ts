import { type Kysely, sql } from 'kysely';
import { StoreError } from '../errors.ts';
import type { Lease } from './contract.ts';
import type { OutEvents } from './out-events.ts';
import type { Database, StoreKind } from './schema.ts';
import type { SqliteStatements } from './sqlite-dialect.ts';

/**
 * What every store query needs: the connection (or open transaction) and the
 * dialect; with SQLite also its statement cache, on which prepared queries run
 * directly inside a transaction (which holds the one connection).
 */
export interface Ctx {
  db: Kysely<Database>;
  kind: StoreKind;
  statements?: SqliteStatements | undefined;
  /** The webhook subscriptions in force: events are written in the caller's transaction (out-events.ts). */
  out?: OutEvents | undefined;
}

/**
 * Status constants are inlined as literals, not bound: the partial indexes
 * (`where status = 'pending'`) are only usable when the planner sees the value.
 */
export const PENDING = sql.lit('pending');
export const DONE = sql.lit('done');
export const FAILED = sql.lit('failed');
export const SENT = sql.lit('sent');
export const DEAD = sql.lit('dead');
export const CANCELLED = sql.lit('cancelled');

/** Runs `fn` in the caller's transaction, or in a new one when called outside any. */
export function atomic<T>(db: Kysely<Database>, fn: (db: Kysely<Database>) => Promise<T>): Promise<T> {
  return db.isTransaction ? fn(db) : db.transaction().execute(fn);
}

/** `atomic` for prepared queries: the context of the caller's transaction or of a new one. */
export function atomicCtx<T>(ctx: Ctx, fn: (ctx: Ctx) => Promise<T>): Promise<T> {
  return atomic(ctx.db, (db) => fn(db === ctx.db ? ctx : { ...ctx, db }));
}

export function clampLimit(limit: number | undefined, fallback: number, max = 1000): number {
  if (limit === undefined) return fallback;
  if (!Number.isInteger(limit) || limit < 1) {
    throw new StoreError('store_bad_limit', `A limit must be a positive whole number, got ${limit}.`);
  }
  return Math.min(limit, max);
}

/** Validates a lease and returns its limit, capped. */
export function checkLease(lease: Lease): number {
  if (!lease.owner) throw new StoreError('store_bad_lease', 'A lease needs a non-empty owner.');
  if (!Number.isFinite(lease.now) || !Number.isFinite(lease.leaseMs) || lease.leaseMs <= 0) {
    throw new StoreError(
      'store_bad_lease',
      `A lease needs a finite now and a positive leaseMs, got ${lease.now} and ${lease.leaseMs}.`,
    );
  }
  return clampLimit(lease.limit, 1);
}

export const count = (n: bigint | number | undefined): number => Number(n ?? 0);
