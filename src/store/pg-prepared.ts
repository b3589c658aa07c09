import type { PostgresPool, PostgresPoolClient } from 'kysely';
import type { Client, Pool, PoolClient } from 'pg';

/**
 * A pool for Kysely whose statements with parameters run as named prepared
 * statements: each connection parses and plans a statement once, then only
 * binds and executes it. The router's few dozen statement shapes, each run
 * for every reply, otherwise cost PostgreSQL a parse and a plan every time.
 */

/** Distinct statements named per process; those past it (odd IN-list lengths, say) run unnamed, as before. */
const MAX_NAMED = 1_000;
/** PostgreSQL's "cached plan must not change result type": the table changed under a prepared `select *`. */
const PLAN_CHANGED = '0A000';

/** `ClientClass` opens the side connection Kysely cancels a query through. */
export function preparingPool(pool: Pool, ClientClass: typeof Client, maxNamed = MAX_NAMED): PostgresPool {
  const names = new Map<string, string>();
  let made = 0;
  const nameOf = (text: string): string | undefined => {
    const known = names.get(text);
    if (known !== undefined || names.size >= maxNamed) return known;
    const name = `tp${(made++).toString(36)}`;
    names.set(text, name);
    return name;
  };

  async function run(client: PoolClient, text: string, values: unknown[]) {
    const name = nameOf(text);
    if (name === undefined) return client.query(text, values);
    try {
      return await client.query({ name, text, values });
    } catch (err) {
      // A migration by another router changed a table: the statement gets a new name, parsed afresh where used next.
      if ((err as { code?: string }).code === PLAN_CHANGED && names.get(text) === name) names.delete(text);
      throw err;
    }
  }

  const wrapped = new WeakMap<PoolClient, PostgresPoolClient>();
  const wrap = (client: PoolClient): PostgresPoolClient => {
    const known = wrapped.get(client);
    if (known) return known;
    const connection = {
      get processID() {
        return (client as PoolClient & { processID?: number }).processID;
      },
      query(textOrCursor: unknown, parameters?: readonly unknown[]) {
        // Statements without parameters (transaction control, migrations with several statements) stay simple queries.
        if (typeof textOrCursor !== 'string' || !parameters || parameters.length === 0)
          return client.query(textOrCursor as string, parameters as unknown[]);
        return run(client, textOrCursor, [...parameters]);
      },
      release: (destroy?: boolean) => client.release(destroy),
    };
    const asKysely = connection as unknown as PostgresPoolClient;
    wrapped.set(client, asKysely);
    return asKysely;
  };

  return {
    options: pool.options,
    Client: ClientClass as unknown as PostgresPool['Client'],
    connect: async () => wrap(await pool.connect()),
    end: () => pool.end(),
  };
}
