import { mkdtemp, rm } from 'node:fs/promises';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { describe, expect, it } from 'vitest';
import { silentLogger } from '../../src/log.ts';
import { openStore } from '../../src/store/open.ts';
import { type RouterChild, startRouterChild } from '../support/child-process.ts';
import { sinkDriver } from '../support/crash-load.ts';
import { dropSchema, freshSchema, withSchema } from '../support/pg-schema.ts';

const postgresUrl = process.env.DATABASE_URL ?? null;

/**
 * Two routers on one PostgreSQL with the default leases (30 s routing, 60 s
 * sending). One is killed with SIGKILL in the middle of a load; the other must
 * take over what the dead one held (stored webhooks reserved for it, replies
 * it had leased) within seconds, through the heartbeats, not when the leases
 * run out; and every acknowledged message is answered exactly once.
 */
describe.skipIf(!postgresUrl)('failover between routers on PostgreSQL (needs DATABASE_URL)', () => {
  it('moves a killed router’s work to the survivor within seconds, logged, each reply sent once', async () => {
    const driver = await sinkDriver({ lookup: true });
    const schema = freshSchema('tp_failover');
    const databaseUrl = withSchema(postgresUrl as string, schema);
    const dirs = [await mkdtemp(join(tmpdir(), 'tp-fo-a-')), await mkdtemp(join(tmpdir(), 'tp-fo-b-'))];
    const children: RouterChild[] = [];
    try {
      for (const dir of dirs)
        children.push(await startRouterChild({ DATA_DIR: dir, DATABASE_URL: databaseUrl, ...driver.env }));
      const [a, b] = children as [RouterChild, RouterChild];
      let survivorLog = '';
      b.proc.stdout?.on('data', (c: Buffer) => {
        survivorLog += c.toString();
      });

      // All the load goes to the router that dies, so what it held when killed reaches the survivor only through the store.
      const acked = new Set<number>();
      const total = 400;
      const killAt = 300;
      let next = 0;
      let killedAt = 0;
      await Promise.all(
        Array.from({ length: 16 }, async () => {
          while (next < total) {
            const i = next++;
            if (i === killAt) {
              a.proc.kill('SIGKILL');
              killedAt = performance.now();
            }
            try {
              if (await driver.post(a.url, i)) acked.add(i);
            } catch {
              // cut off by the kill: not acknowledged, the provider would retry
            }
          }
        }),
      );
      await a.exited;

      const received = () => [...driver.received().values()].reduce((x, y) => x + y, 0);
      const deadline = performance.now() + 45_000;
      while (received() < acked.size && performance.now() < deadline) await new Promise((r) => setTimeout(r, 50));
      const allAnsweredAfterMs = performance.now() - killedAt;

      expect(received()).toBeGreaterThanOrEqual(acked.size);
      // The dead router's leases would have held its work for 30–60 s; the heartbeats move it in seconds.
      expect(allAnsweredAfterMs).toBeLessThan(15_000);
      const takeover = survivorLog
        .split('\n')
        .filter((l) => l.includes('took over the work of a silent router'))
        .map((l) => JSON.parse(l) as { inbound: number; outbox: number });
      expect(takeover).toHaveLength(1);
      expect((takeover[0]?.inbound ?? 0) + (takeover[0]?.outbox ?? 0)).toBeGreaterThan(0);
      // Exactly once: one request per stored message at a provider that does not deduplicate.
      await new Promise((r) => setTimeout(r, 1_000));
      const store = await openStore({ dataDir: dirs[1] as string, databaseUrl, log: silentLogger });
      try {
        const stored = await store.countInbound('done');
        expect(await store.countInbound('pending')).toBe(0);
        expect(received()).toBe(stored);
        expect([...driver.requests().values()].reduce((x, y) => x + y, 0)).toBe(stored);
      } finally {
        await store.close();
      }
    } finally {
      for (const c of children) c.proc.kill('SIGKILL');
      await Promise.all(children.map((c) => c.exited));
      await driver.close();
      await Promise.all(dirs.map((d) => rm(d, { recursive: true, force: true })));
      await dropSchema(postgresUrl as string, schema);
    }
  }, 90_000);
});
