import { describe, expect, it } from 'vitest';
import type { AdoptedOutbound, InboundEvent, NewInbound, Reservation, Store } from '../../src/store/contract.ts';
import { inbound, lease, message, seed, T0 } from './fixtures.ts';

/** What lets the pipeline pass work on in memory: reserved inbound events, their turn, adopted outbox rows. */
export function handoffContract(get: () => Store): void {
  const ids = (events: Array<{ providerId: string }>) => events.map((e) => e.providerId);
  const stored = new Map<string, { id: string; channel: string; threadKey: string; receivedAt: number }>();
  /** Stores events as the ingestor does, remembering them for `turn`. */
  const storeEvents = async (store: Store, events: NewInbound[], reserve?: Reservation) => {
    const results = await store.insertInbound(events, reserve);
    results.forEach((r, i) => {
      const e = events[i] as NewInbound;
      stored.set(e.providerId, { id: r.eventId, channel: e.channel, threadKey: e.threadKey, receivedAt: e.receivedAt });
    });
  };
  const turn = (store: Store, providerId: string, owner: string, now = T0) =>
    store.transaction((tx) => tx.inboundTurn(stored.get(providerId) as InboundEvent, owner, now));

  describe('inbound reservations', () => {
    it('keeps reserved events for their router: free to it at once, to others once the reservation ends', async () => {
      const store = get();
      await storeEvents(store, [inbound('a', 'ta'), inbound('b', 'tb', T0 + 1)], { owner: 'A', until: T0 + 30_000 });
      expect(await store.claimInbound(lease('B', T0))).toEqual([]);
      expect(ids(await store.claimInbound(lease('A', T0)))).toEqual(['a', 'b']);
      expect(ids(await store.claimInbound(lease('B', T0 + 30_000)))).toEqual(['a', 'b']);
    });

    it('holds later events of a thread from other routers while its earlier event is reserved', async () => {
      const store = get();
      await storeEvents(store, [inbound('t-1', 'T', T0)], { owner: 'A', until: T0 + 30_000 });
      await storeEvents(store, [inbound('t-2', 'T', T0 + 1), inbound('u-1', 'U', T0 + 2)]);
      expect(ids(await store.claimInbound(lease('B', T0)))).toEqual(['u-1']);
      expect(ids(await store.claimInbound(lease('A', T0)))).toEqual(['t-1', 't-2']);
    });

    it('gives reservations back with the owner’s leases', async () => {
      const store = get();
      await storeEvents(store, [inbound('a')], { owner: 'A', until: T0 + 30_000 });
      await store.releaseLeases('A');
      expect(ids(await store.claimInbound(lease('B', T0)))).toEqual(['a']);
    });
  });

  describe('inbound turn', () => {
    it('lets the reserving router route its event, and no one else until the reservation ends', async () => {
      const store = get();
      await storeEvents(store, [inbound('a')], { owner: 'A', until: T0 + 30_000 });
      expect(await turn(store, 'a', 'A')).toBe('route');
      expect(await turn(store, 'a', 'B')).toBe('skip');
      expect(await turn(store, 'a', 'B', T0 + 30_000)).toBe('route');
    });

    it('makes an event wait while an earlier one of its thread is pending, whoever holds it', async () => {
      const store = get();
      await storeEvents(store, [inbound('t-1', 'T', T0)]);
      await storeEvents(store, [inbound('t-2', 'T', T0 + 1)], { owner: 'A', until: T0 + 30_000 });
      expect(await turn(store, 't-2', 'A')).toBe('wait');
      expect(await turn(store, 't-1', 'A')).toBe('route');
      const [first] = await store.claimInbound(lease('A', T0, 1));
      await store.completeInbound(first!.id, T0, null);
      expect(await turn(store, 't-2', 'A')).toBe('route');
    });

    it('skips an event that is done, and one that waits for its own retry', async () => {
      const store = get();
      await storeEvents(store, [inbound('t-1', 'T', T0), inbound('t-2', 'T', T0 + 1)]);
      const [first] = await store.claimInbound(lease('A', T0, 1));
      await store.failInbound(first!.id, 'boom', T0 + 5_000, false);
      expect(await turn(store, 't-1', 'A')).toBe('skip');
      expect(await turn(store, 't-2', 'A')).toBe('wait');
      expect(await turn(store, 't-1', 'A', T0 + 5_000)).toBe('route');
      await store.completeInbound(first!.id, T0 + 5_000, null);
      expect(await turn(store, 't-1', 'A', T0 + 5_000)).toBe('skip');
      expect(await turn(store, 't-2', 'A', T0 + 5_000)).toBe('route');
    });
  });

  describe('adopted outbound rows', () => {
    it('leases a row enqueued with its message to the adopting worker and lists it', async () => {
      const store = get();
      const { conversation } = await seed(store);
      const adopted: AdoptedOutbound[] = [];
      const job = await store.transaction(
        async (tx) => {
          const msg = await tx.insertMessage(message(conversation.id, { text: 'adopt me' }), T0);
          const later = await tx.insertMessage(message(conversation.id, { text: 'later' }), T0);
          await tx.enqueueOutbound(
            { messageId: later.id, conversationId: conversation.id, channel: 'email', destination: 'x', dueAt: T0 + 5 },
            T0,
            { message: later, conversation },
          );
          return tx.enqueueOutbound(
            { messageId: msg.id, conversationId: conversation.id, channel: 'email', destination: 'x', dueAt: T0 },
            T0,
            { message: msg, conversation },
          );
        },
        { adopt: { owner: 'W', leaseMs: 60_000, adopted } },
      );
      expect(adopted).toHaveLength(1);
      expect(adopted[0]).toMatchObject({ job, leaseUntil: T0 + 60_000, conversation, message: { text: 'adopt me' } });
      // Another worker sees only the row due later; the adopted one is W's until its lease ends.
      expect((await store.claimOutbox(lease('V', T0 + 5))).map((j) => j.dueAt)).toEqual([T0 + 5]);
      expect((await store.claimOutbox(lease('V', T0 + 60_000))).map((j) => j.id)).toContain(job.id);
    });

    it('writes rows unleased when the transaction adopts nothing, or the caller gave no message', async () => {
      const store = get();
      const { conversation } = await seed(store);
      const adopted: AdoptedOutbound[] = [];
      await store.transaction(
        async (tx) => {
          const msg = await tx.insertMessage(message(conversation.id), T0);
          await tx.enqueueOutbound(
            { messageId: msg.id, conversationId: conversation.id, channel: 'email', destination: 'x', dueAt: T0 },
            T0,
          );
        },
        { adopt: { owner: 'W', leaseMs: 60_000, adopted } },
      );
      expect(adopted).toEqual([]);
      expect(await store.claimOutbox(lease('V', T0))).toHaveLength(1);
    });
  });
}
