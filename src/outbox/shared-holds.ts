import { createRequire } from 'node:module';
import Bottleneck from 'bottleneck';
import type { Redis } from 'ioredis';
import type { Logger } from '../log.ts';

/**
 * The provider holds (Retry-After) of every router instance sharing one Redis.
 * A hold is written to a key that expires with it, for whoever asks, and
 * published, so every instance learns it within milliseconds without asking
 * Redis before each send. An instance that starts during a hold reads the keys
 * once at start.
 */
export interface SharedHolds {
  /** Bottleneck's connection on the same client, for the clustered pace limiters. */
  readonly connection: Bottleneck.IORedisConnection;
  /** Resolves once this instance listens and has read the holds already set (failures are logged). */
  readonly ready: Promise<void>;
  /** Records and announces a hold of `target` (a destination, or '' for the whole channel). */
  publish(channel: string, target: string, until: number, ms: number): Promise<void>;
  /** The later hold Redis has for the destination and for the channel, as [destination, channel]. */
  read(channel: string, destination: string): Promise<[number, number]>;
  close(): Promise<void>;
}

export interface SharedHoldsOptions {
  url: string;
  prefix: string;
  log: Logger;
  /** A hold another instance (or this one) announced, or found at start. */
  onHold(channel: string, target: string, until: number): void;
}

export function connectSharedHolds(o: SharedHoldsOptions): SharedHolds {
  // Loaded only when a Redis URL is set: a single router never pays for the client.
  const { Redis: RedisClient } = createRequire(import.meta.url)('ioredis') as typeof import('ioredis');
  const client: Redis = new RedisClient(o.url, { maxRetriesPerRequest: 3 });
  const connection = new Bottleneck.IORedisConnection({ client, Redis: RedisClient });
  connection.on('error', (err) => o.log.error({ err }, 'redis connection of the rate limiter failed'));
  const subscriber = client.duplicate();
  subscriber.on('error', (err) => o.log.error({ err }, 'redis subscription to rate-limit holds failed'));
  const topic = `${o.prefix}:holds`;
  const keyPrefix = `${o.prefix}:hold:`;
  const key = (channel: string, target: string) => `${keyPrefix}${channel}:${target}`;

  // Channel names hold no ':', destinations may: the first one after the prefix splits them.
  const parse = (text: string): [string, string] | null => {
    const i = text.indexOf(':');
    return i > 0 ? [text.slice(0, i), text.slice(i + 1)] : null;
  };

  subscriber.on('message', (_topic: string, text: string) => {
    const [head, untilText] = [text.slice(0, text.lastIndexOf(' ')), text.slice(text.lastIndexOf(' ') + 1)];
    const parsed = parse(head);
    const until = Number(untilText);
    if (parsed && Number.isFinite(until)) o.onHold(parsed[0], parsed[1], until);
  });

  const ready = (async () => {
    try {
      await subscriber.subscribe(topic);
      // Holds set before this instance listened: read once.
      const stream = client.scanStream({ match: `${keyPrefix}*`, count: 500 });
      for await (const keys of stream as AsyncIterable<string[]>) {
        if (keys.length === 0) continue;
        const values = await client.mget(...keys);
        keys.forEach((k, i) => {
          const parsed = parse(k.slice(keyPrefix.length));
          const until = Number(values[i] ?? 0);
          if (parsed && until > 0) o.onHold(parsed[0], parsed[1], until);
        });
      }
    } catch (err) {
      o.log.error({ err }, 'could not read the rate-limit holds of other instances at start');
    }
  })();

  return {
    connection,
    ready,
    async publish(channel, target, until, ms) {
      const k = key(channel, target);
      const current = Number((await client.get(k)) ?? 0);
      if (current < until) await client.set(k, String(until), 'PX', ms);
      await client.publish(topic, `${channel}:${target} ${until}`);
    },
    async read(channel, destination) {
      const [dest, all] = await client.mget(key(channel, destination), key(channel, ''));
      return [Number(dest ?? 0), Number(all ?? 0)];
    },
    async close() {
      subscriber.disconnect();
      await connection.disconnect(true);
    },
  };
}
