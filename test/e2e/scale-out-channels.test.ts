import { randomUUID } from 'node:crypto';
import { mkdtemp, rm } from 'node:fs/promises';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { describe, expect, it } from 'vitest';
import { type Channels, PUBLIC_URL, startChannels } from '../reliability/channels.ts';
import { type RouterChild, startRouterChild } from '../support/child-process.ts';
import { dropSchema, freshSchema, withSchema } from '../support/pg-schema.ts';

const postgresUrl = process.env.DATABASE_URL ?? null;
const redisUrl = process.env.REDIS_URL ?? 'redis://127.0.0.1:6379/0';
const INSTANCES = 3;
const PER_CHANNEL = 60;

/**
 * Scale-out with the real adapters: three routers on one PostgreSQL and one
 * Redis, SMS (twilio), Slack DMs (bolt) and Messenger (Graph) customers
 * spread over them, one router killed with SIGKILL half-way. Every
 * acknowledged message is answered exactly once, counted in raw requests at
 * the provider fakes, whichever instance took it or inherited it.
 */
describe.skipIf(!postgresUrl)('three routers on PostgreSQL and Redis, real adapters (needs DATABASE_URL)', () => {
  it('answers every acknowledged SMS, Slack and Messenger message once across instances and a kill -9', async () => {
    const channels: Channels = await startChannels(['sms', 'slack', 'facebook']);
    const schema = freshSchema('tp_scale');
    const databaseUrl = withSchema(postgresUrl as string, schema);
    const dirs: string[] = [];
    const routers: RouterChild[] = [];
    try {
      for (let i = 0; i < INSTANCES; i++) dirs.push(await mkdtemp(join(tmpdir(), 'tp-scale-')));
      const prefix = `scale-${randomUUID()}`;
      // One at a time: the first migrates the schema, the others find it ready.
      for (const dir of dirs)
        routers.push(
          await startRouterChild(
            {
              DATA_DIR: dir,
              DATABASE_URL: databaseUrl,
              SHARED_REDIS_URL: redisUrl,
              REDIS_PREFIX: prefix,
              CHANNELS: channels.env,
              ROUTER: JSON.stringify({ server: { publicUrl: PUBLIC_URL } }),
            },
            60_000,
          ),
        );
      const acked = new Map<string, Set<number>>(channels.list.map((c) => [c.name, new Set<number>()]));
      const killed = routers[0] as RouterChild;
      await Promise.all(
        channels.list.map(async (channel) => {
          for (let i = 0; i < PER_CHANNEL; i++) {
            if (i === PER_CHANNEL / 2 && channel === channels.list[0]) killed.proc.kill('SIGKILL');
            // After the kill the survivors get the rest; before it, every instance gets its share.
            const alive = i < PER_CHANNEL / 2 ? routers : routers.slice(1);
            const target = alive[i % alive.length] as RouterChild;
            const status = await channel.deliver(target.url, i, 1).catch(() => 0);
            if (status === 200) acked.get(channel.name)?.add(i);
          }
        }),
      );

      const deadline = Date.now() + 60_000;
      const answered = async () => {
        const all = await Promise.all(channels.list.map(async (c) => [c.name, await c.replies()] as const));
        return new Map(all);
      };
      let replies = await answered();
      const missing = () =>
        channels.list.some((c) => [...(acked.get(c.name) ?? [])].some((i) => !replies.get(c.name)?.perMessage.get(i)));
      while (missing() && Date.now() < deadline) {
        await new Promise((r) => setTimeout(r, 250));
        replies = await answered();
      }
      // Anything sent twice would arrive within moments of the first.
      await new Promise((r) => setTimeout(r, 2_000));
      replies = await answered();
      for (const c of channels.list) {
        const got = replies.get(c.name);
        const ids = [...(acked.get(c.name) ?? [])];
        expect(ids.length, `${c.name}: acknowledged`).toBeGreaterThanOrEqual(PER_CHANNEL / 2);
        // each as "message × replies", so a failure says whether one was lost or sent twice
        expect(
          ids.filter((i) => got?.perMessage.get(i) !== 1).map((i) => `${i} × ${got?.perMessage.get(i) ?? 0}`),
          `${c.name}: acknowledged messages not answered exactly once`,
        ).toEqual([]);
        expect(got?.stray, `${c.name}: replies to nobody`).toBe(0);
      }
    } finally {
      for (const r of routers) r.proc.kill('SIGKILL');
      await Promise.all(routers.map((r) => r.exited));
      await channels.close();
      await Promise.all(dirs.map((d) => rm(d, { recursive: true, force: true })));
      await dropSchema(postgresUrl as string, schema);
    }
  }, 180_000);
});
