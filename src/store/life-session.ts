import type { ClientConfig } from 'pg';
import type { Logger } from '../log.ts';

/**
 * An instance's life, as PostgreSQL sees it: a connection of its own holding a
 * session advisory lock on the instance id. The server drops the lock the
 * moment the process dies (its socket closes; for a host that vanishes, after
 * the keepalive probes set here, about 11 s), while a router that is only
 * stalled (a long GC pause, a starved CPU) keeps it. Survivors take over only
 * an instance whose lock they can take: silence alone is never enough.
 */
export interface LifeSession {
  /** False once the connection failed or was ended: the lock is gone, a new session is needed. */
  readonly alive: boolean;
  end(): Promise<void>;
}

export type OpenLifeSession = (instance: string) => Promise<LifeSession>;

/** First key of the two-int advisory locks that stand for instances' lives (migrations use 7301). */
export const LIFE_LOCK = 7302;

export function lifeSessions(
  pg: { Client: new (config: ClientConfig) => import('pg').Client },
  config: ClientConfig,
  log: Logger,
): OpenLifeSession {
  return async (instance) => {
    const client = new pg.Client({ ...config, application_name: `touchpoint ${instance}`.slice(0, 63) });
    let alive = true;
    const lost = (err?: Error) => {
      if (alive && err) log.warn({ err: err.message, instance }, 'the instance’s PostgreSQL session ended');
      alive = false;
    };
    client.on('error', lost);
    client.on('end', () => lost());
    await client.connect();
    try {
      // The server notices a vanished host within idle + interval × count seconds, not the OS default of hours.
      await client.query('set tcp_keepalives_idle = 5; set tcp_keepalives_interval = 2; set tcp_keepalives_count = 3');
      await client.query('select pg_advisory_lock($1, hashtext($2))', [LIFE_LOCK, instance]);
    } catch (err) {
      await client.end().catch(() => undefined);
      throw err;
    }
    return {
      get alive() {
        return alive;
      },
      async end() {
        alive = false;
        await client.end().catch(() => undefined);
      },
    };
  };
}
