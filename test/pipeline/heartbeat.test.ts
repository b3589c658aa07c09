import pg from 'pg';
import { afterEach, beforeEach, describe, expect, it } from 'vitest';
import { VirtualClock } from '../../src/clock.ts';
import { silentLogger } from '../../src/log.ts';
import { createHeartbeat } from '../../src/pipeline/heartbeat.ts';
import type { Store } from '../../src/store/contract.ts';
import { openStore } from '../../src/store/open.ts';
import { capturingLogger } from '../server/helpers.ts';
import { dropSchema, freshSchema } from '../support/pg-schema.ts';

const databaseUrl = process.env.DATABASE_URL;

/** A router that dies keeps its leases for 30–60 s; its heartbeat going silent hands them back within seconds. */
describe.skipIf(!databaseUrl)('instance heartbeats on PostgreSQL (needs DATABASE_URL)', () => {
  let schema = '';
  const stores: Store[] = [];
  const clock = new VirtualClock();
  const { log, lines } = capturingLogger();

  beforeEach(async () => {
    schema = freshSchema('tp_beat');
    for (let i = 0; i < 3; i++)
      stores.push(await openStore({ databaseUrl, schema, dataDir: '/nonexistent', log: silentLogger }));
    lines.length = 0;
  });
  afterEach(async () => {
    await Promise.all(stores.splice(0).map((s) => s?.close()));
    await dropSchema(databaseUrl as string, schema);
  });

  const beatOf = (i: number, instance: string) =>
    createHeartbeat({ registry: stores[i] as Store, instance, clock, log, everyMs: 1_000, silentMs: 3_000 });

  /** What a router holds when it dies: webhooks claimed for routing, a reply claimed for sending, a timer. */
  async function leaseWork(store: Store, instance: string): Promise<void> {
    const now = clock.now();
    for (let i = 0; i < 3; i++)
      await store.insertInbound([
        {
          channel: 'sms',
          providerId: `${instance}-in-${i}`,
          threadKey: `t-${instance}-${i}`,
          envelope: {
            channel: 'sms',
            providerId: `${instance}-in-${i}`,
            touchpoint: { channel: 'sms', kind: 'sms', visibility: 'private' },
            threadKey: `t-${instance}-${i}`,
            from: { kind: 'phone', value: `+1555000100${i}` },
            text: 'hello',
            sentAt: now,
          },
          receivedAt: now,
        },
      ]);
    const claimed = await store.claimInbound({ owner: `${instance}:router`, now, leaseMs: 30_000, limit: 10 });
    expect(claimed).toHaveLength(3);
  }

  /** A process that dies: its connections close, PostgreSQL drops its session lock. */
  const kill = async (i: number) => {
    const [dead] = stores.splice(i, 1, undefined as unknown as Store);
    await dead?.close();
  };

  it('hands a dead router’s leased webhooks to the others within seconds, once, and logs what moved', async () => {
    const a = beatOf(0, 'a');
    const b = beatOf(1, 'b');
    const c = beatOf(2, 'c');
    await a.tick();
    await b.tick();
    await c.tick();
    await leaseWork(stores[0] as Store, 'a');
    // Nobody else can take them while the lease holds.
    expect(await stores[1]?.claimInbound({ owner: 'b:router', now: clock.now(), leaseMs: 30_000, limit: 10 })).toEqual(
      [],
    );

    // a dies; 2 s later it is not yet taken for dead.
    await kill(0);
    clock.advance(2_000);
    expect(await b.tick()).toEqual([]);
    await c.tick();
    clock.advance(1_500);
    // b and c look at once: exactly one of them takes a's work.
    const [byB, byC] = await Promise.all([b.tick(), c.tick()]);
    const taken = [...(byB ?? []), ...(byC ?? [])];
    expect(taken).toHaveLength(1);
    expect(taken[0]).toMatchObject({ instance: 'a', released: { inbound: 3, outbox: 0, timers: 0 } });
    expect(taken[0]?.silentMs).toBe(3_500);
    const logged = lines.filter((l) => String(l.msg).startsWith('took over the work of a silent router'));
    expect(logged).toHaveLength(1);
    expect(logged[0]).toMatchObject({ instance: 'a', inbound: 3 });

    // 3.5 s after the death, well inside the 30 s lease, the survivors route a's webhooks.
    const moved = await stores[1]?.claimInbound({ owner: 'b:router', now: clock.now(), leaseMs: 30_000, limit: 10 });
    expect(moved).toHaveLength(3);
  });

  it('leaves a router that keeps beating alone, and a clean stop is not taken for a death', async () => {
    const a = beatOf(0, 'a');
    const b = beatOf(1, 'b');
    await a.tick();
    await b.tick();
    await leaseWork(stores[0] as Store, 'a');
    for (let s = 0; s < 10; s++) {
      clock.advance(1_000);
      await a.tick();
      expect(await b.tick()).toEqual([]);
    }
    await a.stop();
    clock.advance(10_000);
    expect(await b.tick()).toEqual([]);
  });

  it('leaves a silent router whose session is alive (stalled, not dead) its work, and says so once', async () => {
    const a = beatOf(0, 'a');
    const b = beatOf(1, 'b');
    await a.tick();
    await b.tick();
    await leaseWork(stores[0] as Store, 'a');
    for (let s = 0; s < 10; s++) {
      clock.advance(1_000);
      expect(await b.tick()).toEqual([]);
    }
    const stalled = lines.filter((l) => String(l.msg).includes('stalled, not dead'));
    expect(stalled).toHaveLength(1);
    expect(stalled[0]).toMatchObject({ instance: 'a', level: 40 });
    expect(await stores[1]?.claimInbound({ owner: 'b:router', now: clock.now(), leaseMs: 30_000, limit: 10 })).toEqual(
      [],
    );
    await a.tick();
    expect(lines.some((l) => l.level === 50)).toBe(false);
  });

  it('says so loudly when a router finds it was taken for dead (its session was cut), and beats again', async () => {
    const a = beatOf(0, 'a');
    const b = beatOf(1, 'b');
    await a.tick();
    await b.tick();
    const admin = new pg.Client({ connectionString: databaseUrl });
    await admin.connect();
    await admin.query("select pg_terminate_backend(pid) from pg_stat_activity where application_name = 'touchpoint a'");
    // terminating only signals the backend: its session lock is free once it has exited
    for (let i = 0; i < 100; i++) {
      const left = await admin.query("select 1 from pg_stat_activity where application_name = 'touchpoint a'");
      if (left.rowCount === 0) break;
      await new Promise((r) => setTimeout(r, 50));
    }
    await admin.end();
    clock.advance(5_000);
    expect((await b.tick()).map((t) => t.instance)).toEqual(['a']);
    await a.tick();
    expect(lines.some((l) => l.level === 50 && String(l.msg).includes('took this one for dead'))).toBe(true);
    // a has a session again: silent or not, it is not taken for dead.
    clock.advance(5_000);
    expect(await b.tick()).toEqual([]);
  });
});
