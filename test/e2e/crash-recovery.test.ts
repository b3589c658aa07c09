import { describe, expect, it } from 'vitest';
import {
  type CrashResult,
  crashUnderLoad,
  type Driver,
  extraSends,
  sinkDriver,
  twilioDriver,
} from '../support/crash-load.ts';

/**
 * kill -9 of a router process in the middle of a load of webhook messages,
 * then a restart on the same data: every acknowledged message must be stored
 * and answered, and no customer may get a reply twice. Counted at the
 * provider fakes, request by request, on channels whose providers do NOT
 * deduplicate: the sink with its nonce dedupe off (the core looks sends up in
 * its message list) and SMS through the real Twilio adapter and client.
 */
const postgresUrl = process.env.DATABASE_URL ?? null;
const stores = [
  { name: 'SQLite', postgres: false },
  { name: 'PostgreSQL (needs DATABASE_URL)', postgres: true },
] as const;

const channels: Array<{ name: string; driver: () => Promise<Driver> }> = [
  { name: 'a sink without dedupe', driver: () => sinkDriver({ lookup: true }) },
  { name: 'Twilio SMS', driver: twilioDriver },
];

async function run(driver: () => Promise<Driver>, postgres: boolean): Promise<CrashResult> {
  const d = await driver();
  try {
    return await crashUnderLoad({ driver: d, postgresUrl: postgres ? postgresUrl : null });
  } finally {
    await d.close();
  }
}

describe.each(stores)('crash recovery (kill -9 under load) on $name', ({ postgres }) => {
  it.skipIf(postgres && !postgresUrl).each(channels)(
    'over $name: loses no acknowledged message and the provider gets each reply exactly once',
    async ({ driver }) => {
      const r = await run(driver, postgres);
      expect(r.acked.size).toBeGreaterThan(100);
      expect(r.acked.size).toBeLessThan(400);
      expect([...r.acked].filter((id) => !r.stored.has(id))).toEqual([]);
      expect(r.pendingInbound).toBe(0);
      expect(r.pendingOutbox).toBe(0);
      expect(r.deadLetters).toBe(0);
      // Every request the provider got, not only the messages it kept: one per stored message, per customer.
      expect(extraSends(r.requests, r.expected)).toBe(0);
      expect(Object.fromEntries(r.requests)).toEqual(Object.fromEntries(r.expected));
      expect(Object.fromEntries(r.received)).toEqual(Object.fromEntries(r.expected));
      expect(r.unconfirmedNotes).toEqual([]);
    },
    90_000,
  );
});

describe('crash recovery where the provider cannot be asked', () => {
  it('flags every conversation whose reply may have gone out twice, and loses nothing', async () => {
    const r = await run(() => sinkDriver({ lookup: false }), false);
    expect([...r.acked].filter((id) => !r.stored.has(id))).toEqual([]);
    expect(r.pendingOutbox).toBe(0);
    for (const [to, n] of r.expected) expect(r.received.get(to) ?? 0).toBeGreaterThanOrEqual(n);
    // A reply the crash left unconfirmed is sent again, and its conversation says so: never more resends than notes.
    expect(extraSends(r.received, r.expected)).toBeLessThanOrEqual(r.unconfirmedNotes.length);
    expect(r.unconfirmedNotes.length).toBeGreaterThan(0);
    for (const note of r.unconfirmedNotes) expect(note).toMatch(/^A reply may have been sent twice/);
  }, 90_000);
});
