import type { DatabaseSync, SQLInputValue, StatementSync } from 'node:sqlite';
import { SqliteDialect } from 'kysely';

/** The better-sqlite3 shapes Kysely's built-in SqliteDialect drives (its SqliteDatabase/SqliteStatement). */
interface BridgedStatement {
  readonly reader: boolean;
  all(parameters: ReadonlyArray<unknown>): unknown[];
  run(parameters: ReadonlyArray<unknown>): { changes: number | bigint; lastInsertRowid: number | bigint };
  iterate(parameters: ReadonlyArray<unknown>): IterableIterator<unknown>;
}

/** Enough for every query shape the store compiles; past it the oldest statements are dropped. */
const MAX_CACHED_STATEMENTS = 1000;

/**
 * Kysely's `begin` starts a deferred transaction, which fails at once with
 * SQLITE_BUSY when it later needs the write lock another connection holds (a
 * CLI command next to the server). Taking the write lock up front lets
 * busy_timeout wait for it instead.
 */
const REWRITES = new Map([['begin', 'begin immediate']]);

/** node:sqlite binds neither booleans nor undefined; Kysely may pass both. Copies only when it must. */
function bind(parameters: ReadonlyArray<unknown>): SQLInputValue[] {
  let out: unknown[] | null = null;
  for (let i = 0; i < parameters.length; i++) {
    const p = parameters[i];
    if (typeof p !== 'boolean' && p !== undefined) continue;
    out ??= [...parameters];
    out[i] = p === undefined ? null : p ? 1 : 0;
  }
  return (out ?? parameters) as SQLInputValue[];
}

class CachedStatement implements BridgedStatement {
  readonly reader: boolean;
  readonly #stmt: StatementSync;

  constructor(stmt: StatementSync) {
    this.#stmt = stmt;
    this.reader = stmt.columns().length > 0;
  }

  all(parameters: ReadonlyArray<unknown>): unknown[] {
    return this.#stmt.all(...bind(parameters));
  }

  run(parameters: ReadonlyArray<unknown>) {
    return this.#stmt.run(...bind(parameters));
  }

  iterate(parameters: ReadonlyArray<unknown>): IterableIterator<unknown> {
    return this.#stmt.iterate(...bind(parameters)) as IterableIterator<unknown>;
  }
}

/** Presents a `node:sqlite` DatabaseSync as the better-sqlite3 database Kysely expects, with prepared statements cached by SQL text. */
export class NodeSqliteDatabase {
  readonly #db: DatabaseSync;
  readonly #cache = new Map<string, CachedStatement>();

  constructor(db: DatabaseSync) {
    this.#db = db;
  }

  prepare(sql: string): BridgedStatement {
    const text = REWRITES.get(sql) ?? sql;
    let stmt = this.#cache.get(text);
    if (stmt) return stmt;
    stmt = new CachedStatement(this.#db.prepare(text));
    if (this.#cache.size >= MAX_CACHED_STATEMENTS) {
      const oldest = this.#cache.keys().next().value;
      if (oldest !== undefined) this.#cache.delete(oldest);
    }
    this.#cache.set(text, stmt);
    return stmt;
  }

  close(): void {
    this.#cache.clear();
    if (this.#db.isOpen) this.#db.close();
  }
}

/** Prepared statements by SQL text, for running compiled queries directly (src/store/prepared.ts). */
export type SqliteStatements = Pick<NodeSqliteDatabase, 'prepare'>;

/** Kysely's dialect over the database, and the same statement cache for direct runs. */
export function nodeSqliteDialect(db: DatabaseSync): { dialect: SqliteDialect; statements: SqliteStatements } {
  const database = new NodeSqliteDatabase(db);
  return { dialect: new SqliteDialect({ database }), statements: database };
}
