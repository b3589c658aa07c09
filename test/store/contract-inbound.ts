import { describe, expect, it } from 'vitest';
import { StoreError } from '../../src/errors.ts';
import type { Store } from '../../src/store/contract.ts';
import { envelope, inbound, lease, T0 } from './fixtures.ts';

export function inboundContract(get: () => Store): void {
  describe('inbound events', () => {
    it('stores the same event sent five times in one batch once, flagging the rest', async () => {
      const store = get();
      const results = await store.insertInbound(Array.from({ length: 5 }, () => inbound('evt-1')));
      expect(results.map((r) => r.duplicate)).toEqual([false, true, true, true, true]);
      expect(new Set(results.map((r) => r.eventId)).size).toBe(1);
      expect(await store.countInbound('pending')).toBe(1);
    });

    it('stores the same event sent in five batches once, pointing duplicates at the stored event', async () => {
      const store = get();
      const [first] = await store.insertInbound([inbound('evt-1')]);
      for (let i = 0; i < 4; i++) {
        expect(await store.insertInbound([inbound('evt-1')])).toEqual([{ eventId: first?.eventId, duplicate: true }]);
      }
      expect(await store.countInbound('pending')).toBe(1);
    });

    it('keeps input order in mixed batches and dedupes per channel', async () => {
      const store = get();
      await store.insertInbound([inbound('old')]);
      const results = await store.insertInbound([
        inbound('a'),
        inbound('old'),
        inbound('a'),
        inbound('a', 't1', T0, 'sms'),
        inbound('b'),
      ]);
      expect(results.map((r) => r.duplicate)).toEqual([false, true, true, false, false]);
      expect(results[2]?.eventId).toBe(results[0]?.eventId);
      expect(results[3]?.eventId).not.toBe(results[0]?.eventId);
      expect(await store.countInbound('pending')).toBe(4);
    });

    it('refuses an event without a provider id and writes nothing of its batch', async () => {
      const store = get();
      await expect(store.insertInbound([inbound('ok'), inbound('')])).rejects.toBeInstanceOf(StoreError);
      expect(await store.countInbound('pending')).toBe(0);
      expect(await store.insertInbound([])).toEqual([]);
    });

    it('leases events oldest first and hands them out again once the lease expires', async () => {
      const store = get();
      await store.insertInbound([inbound('c', 'tc', T0 + 2), inbound('a', 'ta', T0), inbound('b', 'tb', T0 + 1)]);
      const a = await store.claimInbound(lease('A', T0, 2));
      expect(a.map((e) => e.providerId)).toEqual(['a', 'b']);
      expect(a[0]).toMatchObject({ channel: 'webchat', threadKey: 'ta', receivedAt: T0, attempts: 0 });
      expect(a[0]?.envelope).toEqual(envelope('webchat', 'a', 'ta'));
      expect((await store.claimInbound(lease('B', T0))).map((e) => e.providerId)).toEqual(['c']);
      expect(await store.claimInbound(lease('B', T0 + 29_999))).toEqual([]);
      expect((await store.claimInbound(lease('B', T0 + 30_000))).map((e) => e.providerId)).toEqual(['a', 'b', 'c']);
    });

    it('never hands out a thread event while an earlier one is leased by another owner', async () => {
      const store = get();
      await store.insertInbound([
        inbound('t-1', 'T', T0),
        inbound('u-1', 'U', T0 + 1),
        inbound('t-2', 'T', T0 + 2),
        inbound('t-3', 'T', T0 + 3),
      ]);
      expect((await store.claimInbound(lease('A', T0, 1))).map((e) => e.providerId)).toEqual(['t-1']);
      expect((await store.claimInbound(lease('B', T0))).map((e) => e.providerId)).toEqual(['u-1']);
      // The same owner may hold several events of one thread, oldest first.
      expect((await store.claimInbound(lease('A', T0))).map((e) => e.providerId)).toEqual(['t-2', 't-3']);
      // A's leases run out without completing: B takes the whole thread, in order.
      expect((await store.claimInbound(lease('B', T0 + 30_000))).map((e) => e.providerId)).toEqual([
        't-1',
        'u-1',
        't-2',
        't-3',
      ]);
    });

    it('releases the next event of a thread once the earlier one is completed', async () => {
      const store = get();
      await store.insertInbound([inbound('t-1', 'T', T0), inbound('t-2', 'T', T0 + 1)]);
      const [first] = await store.claimInbound(lease('A', T0, 1));
      expect(await store.claimInbound(lease('B', T0))).toEqual([]);
      await store.completeInbound(first!.id, T0 + 5, null);
      expect((await store.claimInbound(lease('B', T0))).map((e) => e.providerId)).toEqual(['t-2']);
      expect(await store.countInbound('done')).toBe(1);
      expect(await store.countInbound('pending')).toBe(1);
    });

    it('retries a failed event after retryAt, holding its thread, and fails it for good when final', async () => {
      const store = get();
      await store.insertInbound([inbound('t-1', 'T', T0), inbound('t-2', 'T', T0 + 1), inbound('u-1', 'U', T0 + 2)]);
      const [first] = await store.claimInbound(lease('A', T0, 1));
      await store.failInbound(first!.id, 'boom', T0 + 1000, false);
      expect((await store.claimInbound(lease('A', T0 + 999))).map((e) => e.providerId)).toEqual(['u-1']);
      const retried = await store.claimInbound(lease('B', T0 + 1000, 1));
      expect(retried.map((e) => [e.providerId, e.attempts])).toEqual([['t-1', 1]]);
      await store.failInbound(first!.id, 'boom again', T0 + 2000, true);
      expect(await store.countInbound('failed')).toBe(1);
      expect((await store.claimInbound(lease('B', T0 + 1000))).map((e) => e.providerId)).toEqual(['t-2']);
      expect(await store.claimInbound(lease('C', T0 + 5000))).toEqual([]);
    });

    it('rejects a lease without an owner or a positive limit', async () => {
      const store = get();
      await expect(store.claimInbound(lease('', T0))).rejects.toBeInstanceOf(StoreError);
      await expect(store.claimOutbox(lease('A', T0, 0))).rejects.toBeInstanceOf(StoreError);
      await expect(store.claimTimers(lease('A', T0, 10, -1))).rejects.toBeInstanceOf(StoreError);
    });
  });

  describe('unreadable payloads', () => {
    it('keeps text as text, and bytes that are not text (or hold NUL) as base64, newest first', async () => {
      const store = get();
      await store.keepUnreadable({
        channel: 'slack',
        reason: 'no event',
        payload: '{"type":"event_callback"}',
        receivedAt: T0,
      });
      const bytes = Buffer.from([0x7b, 0x00, 0xff, 0xfe]);
      await store.keepUnreadable({ channel: 'facebook', reason: 'not JSON', payload: bytes, receivedAt: T0 + 1 });
      await store.keepUnreadable({
        channel: 'sms',
        reason: 'ünïcode',
        payload: 'Body=caf%C3%A9 ☕',
        receivedAt: T0 + 2,
      });
      const kept = await store.listUnreadable();
      expect(kept.map((k) => [k.channel, k.reason, k.encoding, k.receivedAt])).toEqual([
        ['sms', 'ünïcode', 'utf8', T0 + 2],
        ['facebook', 'not JSON', 'base64', T0 + 1],
        ['slack', 'no event', 'utf8', T0],
      ]);
      expect(kept[0]?.payload).toBe('Body=caf%C3%A9 ☕');
      expect(Buffer.from(kept[1]?.payload ?? '', 'base64')).toEqual(bytes);
      expect(await store.listUnreadable(1)).toHaveLength(1);
      // valid UTF-8, but PostgreSQL's text cannot hold NUL
      const withNul = Buffer.from('{"text":"a\u0000b"}');
      await store.keepUnreadable({ channel: 'slack', reason: 'NUL', payload: withNul, receivedAt: T0 + 3 });
      const [nul] = await store.listUnreadable(1);
      expect(nul?.encoding).toBe('base64');
      expect(Buffer.from(nul?.payload ?? '', 'base64')).toEqual(withNul);
      expect(await store.countInbound('pending')).toBe(0);
    });
  });
}
