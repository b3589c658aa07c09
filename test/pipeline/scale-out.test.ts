import { randomBytes } from 'node:crypto';
import pg from 'pg';
import { afterEach, beforeEach, describe, expect, it } from 'vitest';
import { VirtualClock } from '../../src/clock.ts';
import { silentLogger } from '../../src/log.ts';
import { createIngestor } from '../../src/pipeline/ingest.ts';
import { createRouter } from '../../src/pipeline/router.ts';
import type { InboundEvent, Store } from '../../src/store/contract.ts';
import { openStore } from '../../src/store/open.ts';
import { engineRouteDeps } from '../../src/testkit/engine-deps.ts';
import { testSettings } from '../support/settings.ts';

const databaseUrl = process.env.DATABASE_URL;

/** Several router instances on one PostgreSQL: every event routed once, each thread in order. */
describe.skipIf(!databaseUrl)('scale-out: three routers share PostgreSQL (needs DATABASE_URL)', () => {
  let schema = '';
  const stores: Store[] = [];

  // Each test on its own schema: what one counts never depends on another having run.
  beforeEach(async () => {
    schema = `tp_scale_${randomBytes(5).toString('hex')}`;
    for (let i = 0; i < 3; i++)
      stores.push(await openStore({ databaseUrl, schema, dataDir: '/nonexistent', log: silentLogger }));
  });
  afterEach(async () => {
    await Promise.all(stores.splice(0).map((s) => s.close()));
    const admin = new pg.Client({ connectionString: databaseUrl });
    await admin.connect();
    await admin.query(`drop schema if exists ${schema} cascade`);
    await admin.end();
  });

  const routeAll = async (inMemory: boolean) => {
    const prefix = inMemory ? 'mem:' : 'claim:';
    const clock = new VirtualClock();
    const settings = testSettings();
    const routers = stores.map((store, i) =>
      createRouter({
        store,
        clock,
        log: silentLogger,
        owner: `router-${i}`,
        leaseMs: 60_000,
        batchSize: 25,
        workers: 8,
        maxAttempts: 3,
        batchTransactions: false,
        ...(inMemory ? { adoptOutbound: { owner: `outbox-${i}`, leaseMs: 60_000 } } : {}),
        deps: engineRouteDeps(settings),
        onRouted: () => {},
      }),
    );
    const ingestors = stores.map((store, i) =>
      createIngestor({
        store,
        clock,
        log: silentLogger,
        ...(inMemory
          ? {
              reserveFor: { owner: `router-${i}`, leaseMs: 60_000 },
              onStored: (e: InboundEvent[]) => routers[i]?.offer(e),
            }
          : { onStored: () => {} }),
      }),
    );
    const total = 300;
    // 15 rounds, each one message per thread arriving at the three instances at once; rounds are ordered.
    const routing = Promise.all(routers.map((r) => r.drain()));
    for (let round = 0; round < total / 20; round++) {
      await Promise.all(
        Array.from({ length: 20 }, (_, t) => {
          const i = round * 20 + t;
          return ingestors[i % 3]!.ingest({
            channel: 'sms',
            providerId: `${prefix}${i}`,
            touchpoint: { channel: 'sms', kind: 'sms', visibility: 'private' },
            threadKey: `${prefix}${t}`,
            from: { kind: 'phone', value: `${prefix}+1555000${String(t).padStart(4, '0')}` },
            text: `${i} what is the price`,
          });
        }),
      );
    }
    await routing;
    // A thread whose messages arrived at different instances moves on as each instance claims again.
    const store = stores[0]!;
    for (let i = 0; i < 40 && (await store.countInbound('pending')) > 0; i++) {
      clock.advance(100);
      await Promise.all(routers.map((r) => r.drain()));
    }
    expect(await store.countInbound('pending')).toBe(0);
    const convs = (await store.listConversations({ limit: 1000 })).filter((c) => c.threadKey.startsWith(prefix));
    expect(convs).toHaveLength(20);
    for (const c of convs) {
      const inbound = (await store.listMessages(c.id, { limit: 1000 })).filter((m) => m.direction === 'inbound');
      const seq = inbound.map((m) => Number(m.text.split(' ')[0]));
      expect(seq).toEqual([...seq].sort((a, b) => a - b));
      expect(seq).toHaveLength(15);
    }
    return store;
  };

  it('routes 300 messages on 20 threads exactly once, in order per thread', async () => {
    const store = await routeAll(false);
    expect(await store.countOutbox('pending')).toBe(300);
  });

  it('does the same when each instance routes what it stored from memory and adopts its replies', async () => {
    const store = await routeAll(true);
    expect(await store.countOutbox('pending')).toBe(300);
  });
});
