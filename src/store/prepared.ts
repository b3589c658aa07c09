import { type Compilable, CompiledQuery, type Kysely, type RawBuilder, sql } from 'kysely';
import type { Ctx } from './query-helpers.ts';
import type { Database, StoreKind } from './schema.ts';

/**
 * Queries built once with Kysely and run many times. A query is written with
 * the typed builder as usual, with named slots where values go; it is compiled
 * once per dialect and each run only fills the slots in. On SQLite, inside a
 * transaction (which holds the one connection), the compiled statement runs
 * directly on the database: no query building, no compiling and no trip
 * through Kysely's asynchronous executor, which cost more than the statement
 * itself on the routing path.
 */
class Slot {
  readonly name: string;
  constructor(name: string) {
    this.name = name;
  }
}

export type Slots<P> = { readonly [K in keyof P]: RawBuilder<P[K]> };

interface Compiled {
  sql: string;
  /** A slot's name, or a value the builder bound itself. */
  args: unknown[];
}

const slots = new Proxy(
  {},
  { get: (_, name) => (typeof name === 'string' ? sql.val(new Slot(name)) : undefined) },
) as Slots<Record<string, unknown>>;

export class Prepared<P extends object, R> {
  readonly #build: (db: Kysely<Database>, p: Slots<P>) => Compilable<R>;
  readonly #compiled = new Map<StoreKind, Compiled>();

  constructor(build: (db: Kysely<Database>, p: Slots<P>) => Compilable<R>) {
    this.#build = build;
  }

  /** The rows the query returns (SELECT, or a write with RETURNING). */
  async rows(ctx: Ctx, params: P): Promise<R[]> {
    const { sql: text, args } = this.#compile(ctx);
    const values = fill(args, params);
    const direct = directOf(ctx);
    if (direct) {
      const stmt = direct.prepare(text);
      if (stmt.reader) return stmt.all(values) as R[];
      stmt.run(values);
      return [];
    }
    return (await ctx.db.executeQuery<R>(CompiledQuery.raw(text, values))).rows;
  }

  async first(ctx: Ctx, params: P): Promise<R | undefined> {
    return (await this.rows(ctx, params))[0];
  }

  /** Runs a write; resolves with the number of rows it changed. */
  async run(ctx: Ctx, params: P): Promise<number> {
    const { sql: text, args } = this.#compile(ctx);
    const values = fill(args, params);
    const direct = directOf(ctx);
    if (direct) return Number(direct.prepare(text).run(values).changes);
    return Number((await ctx.db.executeQuery(CompiledQuery.raw(text, values))).numAffectedRows ?? 0);
  }

  #compile(ctx: Ctx): Compiled {
    let compiled = this.#compiled.get(ctx.kind);
    if (!compiled) {
      const query = this.#build(ctx.db, slots as Slots<P>).compile();
      compiled = { sql: query.sql, args: query.parameters.map((v) => (v instanceof Slot ? v : { value: v })) };
      this.#compiled.set(ctx.kind, compiled);
    }
    return compiled;
  }
}

/** Only a transaction holds the connection: elsewhere a direct run could land in another caller's transaction. */
function directOf(ctx: Ctx): Ctx['statements'] {
  return ctx.statements && ctx.db.isTransaction ? ctx.statements : undefined;
}

function fill(args: unknown[], params: object): unknown[] {
  const values = new Array<unknown>(args.length);
  for (let i = 0; i < args.length; i++) {
    const a = args[i];
    values[i] = a instanceof Slot ? (params as Record<string, unknown>)[a.name] : (a as { value: unknown }).value;
  }
  return values;
}

/**
 * Prepared queries whose shape depends on the call (an UPDATE of whichever
 * columns a patch sets): one per shape, by a key naming it.
 */
export class PreparedFamily<P extends object, R> {
  readonly #build: (key: string, db: Kysely<Database>, p: Slots<P>) => Compilable<R>;
  readonly #members = new Map<string, Prepared<P, R>>();

  constructor(build: (key: string, db: Kysely<Database>, p: Slots<P>) => Compilable<R>) {
    this.#build = build;
  }

  of(key: string): Prepared<P, R> {
    let member = this.#members.get(key);
    if (!member) {
      member = new Prepared<P, R>((db, p) => this.#build(key, db, p));
      this.#members.set(key, member);
    }
    return member;
  }
}

/** The slots named by a comma-separated column list, as the object a builder's `values` or `set` takes. */
export function columnSlots<P extends object>(columns: string, p: Slots<P>): Record<string, RawBuilder<unknown>> {
  const slotOf = p as unknown as Record<string, RawBuilder<unknown>>;
  return Object.fromEntries(columns.split(',').map((c) => [c, slotOf[c] as RawBuilder<unknown>]));
}
