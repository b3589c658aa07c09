import { randomUUID } from 'node:crypto';
import { Redis } from 'ioredis';
import { afterEach, describe, expect, it, vi } from 'vitest';
import { silentLogger } from '../../src/log.ts';
import { createOutboxLimiter, type OutboxLimiter } from '../../src/outbox/limiter.ts';
import { connectSharedHolds } from '../../src/outbox/shared-holds.ts';

/** Rate-limit holds across instances on a channel with no pace: announced through Redis, never asked for per send. */
const redisUrl = 'redis://127.0.0.1:6379/0';
const T = Date.UTC(2026, 0, 5, 9, 0, 0);
const opened: Array<{ close(): unknown }> = [];

afterEach(async () => {
  for (const c of opened.splice(0)) await c.close();
});

function instance(prefix: string, now = () => T): OutboxLimiter {
  const limiter = createOutboxLimiter({
    adapters: new Map([['sms', { rateLimit: { minTimeMs: 0, maxConcurrent: 1 } }]]),
    log: silentLogger,
    clock: { now, after: () => () => {} },
    redisUrl,
    prefix,
  });
  opened.push(limiter);
  return limiter;
}

/** Every command Redis runs that names `prefix`, as its words. */
async function watchRedis(prefix: string): Promise<string[][]> {
  const seen: string[][] = [];
  const monitor = await new Redis(redisUrl).monitor();
  opened.push({ close: () => monitor.disconnect() });
  monitor.on('monitor', (_time: string, args: string[]) => {
    if (args.some((a) => a.includes(prefix))) seen.push(args);
  });
  return seen;
}

describe('holds shared through Redis, on a channel with no pace', () => {
  it('sends without a single Redis command', async () => {
    const prefix = `unpaced-${randomUUID()}`;
    const limiter = instance(prefix);
    await limiter.ready();
    const seen = await watchRedis(prefix);
    const sent = await Promise.all(
      Array.from({ length: 40 }, (_, i) => limiter.schedule('sms', `+1555000${i % 4}`, async () => i)),
    );
    expect(sent).toHaveLength(40);
    for (let i = 0; i < 40; i++) await limiter.heldUntil('sms', `+1555000${i % 4}`, T);
    // A hold is written and announced: the monitor sees it, so it was listening all along.
    await limiter.holdOff('sms', '+15550000', T + 5_000, T);
    await vi.waitFor(() => expect(seen.length).toBeGreaterThan(0));
    expect(seen.map((args) => args[0]?.toLowerCase())).toEqual(['get', 'set', 'publish']);
  });

  it('tells every instance of a hold at once, and turns away the sends waiting there', async () => {
    const prefix = `unpaced-${randomUUID()}`;
    const one = instance(prefix);
    const two = instance(prefix);
    await one.holdOff('sms', '+1', T + 4_000, T);
    await vi.waitFor(async () => expect(await two.heldUntil('sms', '+1', T)).toBe(T + 4_000));
    expect(await two.heldUntil('sms', '+2', T)).toBeNull();
    await expect(two.schedule('sms', '+1', async () => 'sent')).rejects.toMatchObject({ until: T + 4_000 });

    await one.holdOff('sms', '+9', T + 9_000, T, 'account');
    await vi.waitFor(async () => expect(await two.heldUntil('sms', '+3', T)).toBe(T + 9_000));
    await expect(two.schedule('sms', '+4', async () => 'sent')).rejects.toMatchObject({ until: T + 9_000 });
    // Over at its instant.
    expect(await two.heldUntil('sms', '+3', T + 9_000)).toBeNull();
  });

  it('gives an instance that starts during a hold the holds already set', async () => {
    const prefix = `unpaced-${randomUUID()}`;
    const one = instance(prefix, () => Date.now());
    const until = Date.now() + 60_000;
    await one.holdOff('sms', 'whatsapp:+1 555', until + 5, Date.now(), 'destination');
    await one.holdOff('sms', '+7', until + 1, Date.now(), 'account');
    const late = instance(prefix, () => Date.now());
    await vi.waitFor(async () => expect(await late.heldUntil('sms', '+8', Date.now())).toBe(until + 1));
    expect(await late.heldUntil('sms', 'whatsapp:+1 555', Date.now())).toBe(until + 5);
  });

  it('keeps the holds of two deployments with their own prefix apart', async () => {
    const shop = instance(`shop-${randomUUID()}`);
    const other = instance(`other-${randomUUID()}`);
    await shop.holdOff('sms', '+1', T + 5_000, T);
    await vi.waitFor(async () => expect(await shop.heldUntil('sms', '+1', T)).toBe(T + 5_000));
    await new Promise((r) => setTimeout(r, 100));
    expect(await other.heldUntil('sms', '+1', T)).toBeNull();
  });

  /** The holds one connection learns, in order, as `channel|target|until`. */
  function listen(prefix: string) {
    const heard: string[] = [];
    const holds = connectSharedHolds({
      url: redisUrl,
      prefix,
      log: silentLogger,
      onHold: (channel, target, until) => heard.push(`${channel}|${target}|${until}`),
    });
    opened.push(holds);
    return { holds, heard };
  }

  function raw(): Redis {
    const r = new Redis(redisUrl);
    opened.push({ close: () => r.disconnect() });
    return r;
  }

  it('ignores announcements it cannot read: no channel, an empty channel, an instant that is not a number', async () => {
    const prefix = `unpaced-${randomUUID()}`;
    const { holds, heard } = listen(prefix);
    await holds.ready;
    const redis = raw();
    for (const text of ['nochannel 5000', ':+1 5000', 'sms:+1 soon', 'sms:+2 7000'])
      await redis.publish(`${prefix}:holds`, text);
    await vi.waitFor(() => expect(heard).toContain('sms|+2|7000'));
    expect(heard).toEqual(['sms|+2|7000']);
  });

  it('at start, reads only the holds it can: a named channel and an instant', async () => {
    const prefix = `unpaced-${randomUUID()}`;
    const redis = raw();
    await redis.set(`${prefix}:hold:nochannel`, '5000', 'PX', 60_000);
    await redis.set(`${prefix}:hold::+1`, '5000', 'PX', 60_000);
    await redis.set(`${prefix}:hold:sms:+1`, '0', 'PX', 60_000);
    await redis.set(`${prefix}:hold:sms:+2`, '7000', 'PX', 60_000);
    const { holds, heard } = listen(prefix);
    await holds.ready;
    expect(heard).toEqual(['sms|+2|7000']);
  });

  it('never shortens a hold already recorded in Redis', async () => {
    const prefix = `unpaced-${randomUUID()}`;
    const { holds } = listen(prefix);
    await holds.ready;
    await holds.publish('sms', '+1', T + 10_000, 60_000);
    await holds.publish('sms', '+1', T + 5_000, 60_000);
    expect(await holds.read('sms', '+1')).toEqual([T + 10_000, 0]);
  });
});
