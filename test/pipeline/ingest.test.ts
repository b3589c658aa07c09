import { mkdtemp, rm } from 'node:fs/promises';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { afterEach, beforeEach, describe, expect, it } from 'vitest';
import { VirtualClock } from '../../src/clock.ts';
import { silentLogger } from '../../src/log.ts';
import type { Envelope } from '../../src/model/types.ts';
import { createIngestor } from '../../src/pipeline/ingest.ts';
import type { InboundEvent, Store } from '../../src/store/contract.ts';
import { openStore } from '../../src/store/open.ts';
import { capturedLog } from '../support/log-capture.ts';

const T0 = Date.UTC(2026, 0, 5, 10);
let dir: string;
let store: Store;
let clock: VirtualClock;

beforeEach(async () => {
  dir = await mkdtemp(join(tmpdir(), 'tp-ingest-'));
  store = await openStore({ dataDir: dir, synchronous: 'normal', log: silentLogger });
  clock = new VirtualClock(T0);
});
afterEach(async () => {
  await store.close();
  await rm(dir, { recursive: true, force: true });
});

const envelope = (providerId: string, thread = 'v1'): Envelope => ({
  channel: 'webchat',
  providerId,
  touchpoint: { channel: 'webchat', kind: 'webchat', visibility: 'private' },
  threadKey: `webchat:${thread}`,
  from: { kind: 'webchat', value: thread },
  text: `message ${providerId}`,
});

describe('the ingestor', () => {
  it('hands on only what is new, in order, as stored, and answers a repeat as a duplicate of the same event', async () => {
    const stored: InboundEvent[] = [];
    const ingestor = createIngestor({ store, clock, log: silentLogger, onStored: (e) => stored.push(...e) });
    const [a, b, again] = await Promise.all([
      ingestor.ingest(envelope('p1')),
      ingestor.ingest(envelope('p2', 'v2')),
      ingestor.ingest(envelope('p1')),
    ]);
    expect(a).toMatchObject({ stored: true, duplicate: false });
    expect(b).toMatchObject({ stored: true, duplicate: false });
    expect(again).toEqual({ stored: false, duplicate: true, eventId: a?.eventId });
    expect(stored).toEqual([
      {
        id: a?.eventId,
        channel: 'webchat',
        providerId: 'p1',
        threadKey: 'webchat:v1',
        envelope: envelope('p1'),
        receivedAt: T0,
        attempts: 0,
      },
      expect.objectContaining({ id: b?.eventId, providerId: 'p2' }),
    ]);
    const later = await ingestor.ingest(envelope('p1'));
    expect(later).toMatchObject({ duplicate: true });
    expect(stored).toHaveLength(2); // nothing handed on for a batch of duplicates only
  });

  it('reserves new events for its router for the lease, so other routers leave them alone meanwhile', async () => {
    const ingestor = createIngestor({
      store,
      clock,
      log: silentLogger,
      reserveFor: { owner: 'r1', leaseMs: 5_000 },
      onStored: () => {},
    });
    await ingestor.ingest(envelope('p1'));
    expect(await store.claimInbound({ owner: 'r2', now: T0 + 4_999, leaseMs: 1_000, limit: 10 })).toEqual([]);
    const claimed = await store.claimInbound({ owner: 'r2', now: T0 + 5_000, leaseMs: 1_000, limit: 10 });
    expect(claimed.map((e) => e.providerId)).toEqual(['p1']);
  });

  it('refuses a malformed envelope with 400 before it reaches the store', async () => {
    const stored: InboundEvent[] = [];
    const ingestor = createIngestor({ store, clock, log: silentLogger, onStored: (e) => stored.push(...e) });
    const noSender = { ...envelope('p1'), from: { kind: 'webchat', value: '' } } as Envelope;
    await expect(ingestor.ingest(noSender)).rejects.toMatchObject({ status: 400, code: 'invalid_envelope' });
    await ingestor.flush();
    expect(await store.countInbound('pending')).toBe(0);
    expect(stored).toEqual([]);
  });

  it('flush() resolves once the events submitted before it are stored', async () => {
    const ingestor = createIngestor({ store, clock, log: silentLogger, onStored: () => {} });
    const acked = ingestor.ingest(envelope('p1'));
    await ingestor.flush();
    expect(await store.countInbound('pending')).toBe(1);
    await acked;
  });

  it('rejects every request of a batch the store could not write, and says so in the log', async () => {
    const { log, lines } = capturedLog();
    const broken = new Proxy(store, {
      get(target, key) {
        if (key === 'insertInbound') return () => Promise.reject(new Error('disk full'));
        const v = Reflect.get(target, key) as unknown;
        return typeof v === 'function' ? v.bind(target) : v;
      },
    });
    const ingestor = createIngestor({ store: broken, clock, log, onStored: () => {} });
    const results = await Promise.allSettled([ingestor.ingest(envelope('p1')), ingestor.ingest(envelope('p2'))]);
    expect(results.map((r) => r.status)).toEqual(['rejected', 'rejected']);
    expect(lines.find((l) => l.msg === 'storing inbound events failed')).toMatchObject({ batch: 2 });
  });
});
