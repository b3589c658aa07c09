import { describe, expect, it } from 'vitest';
import type { Store } from '../../src/store/contract.ts';
import { inbound, lease, queued, seed, T0 } from './fixtures.ts';

export function timersContract(get: () => Store): void {
  describe('timers', () => {
    it('replaces the pending timer of the same key', async () => {
      const store = get();
      const { conversation } = await seed(store);
      const first = await store.scheduleTimer(
        { kind: 'sla.first_response', conversationId: conversation.id, dueAt: T0 + 100, key: 'sla:1' },
        T0,
      );
      const second = await store.scheduleTimer(
        {
          kind: 'sla.first_response',
          conversationId: conversation.id,
          dueAt: T0 + 200,
          key: 'sla:1',
          payload: { n: 2 },
        },
        T0,
      );
      expect(second.id).not.toBe(first.id);
      const claimed = await store.claimTimers(lease('A', T0 + 1000));
      expect(claimed).toEqual([second]);
      expect(claimed[0]).toMatchObject({
        key: 'sla:1',
        payload: { n: 2 },
        attempts: 0,
        conversationId: conversation.id,
      });
    });

    it('cancels by kind prefix within a conversation, and by key', async () => {
      const store = get();
      const { conversation } = await seed(store);
      const other = await seed(store);
      const at = (kind: string, conversationId: string | null = conversation.id, key: string | null = null) =>
        store.scheduleTimer({ kind, conversationId, dueAt: T0, key }, T0);
      await at('flow.wait');
      await at('flow.remind');
      await at('flowx');
      const sla = await at('sla.first_response');
      const otherFlow = await at('flow.wait', other.conversation.id);
      const keyed = await at('snooze', null, 'snooze:1');
      expect(await store.cancelTimers(conversation.id, 'flow.')).toBe(2);
      expect(await store.cancelTimers(conversation.id, 'flow_')).toBe(0);
      expect(await store.cancelTimers(conversation.id, 'flow.')).toBe(0);
      expect(await store.cancelTimerByKey('snooze:1')).toBe(true);
      expect(await store.cancelTimerByKey('snooze:1')).toBe(false);
      const left = await store.claimTimers(lease('A', T0));
      expect(left.map((t) => t.kind).sort()).toEqual(['flow.wait', 'flowx', 'sla.first_response']);
      expect(left.map((t) => t.id)).toContain(sla.id);
      expect(left.map((t) => t.id)).toContain(otherFlow.id);
      expect(left.map((t) => t.id)).not.toContain(keyed.id);
    });

    it('claims due timers, completes them once, reschedules failures and re-leases expired ones', async () => {
      const store = get();
      const a = await store.scheduleTimer({ kind: 'flow.wait', dueAt: T0 + 10 }, T0);
      const b = await store.scheduleTimer({ kind: 'snooze', dueAt: T0 + 20 }, T0);
      const later = await store.scheduleTimer({ kind: 'later', dueAt: T0 + 10_000 }, T0);
      expect((await store.claimTimers(lease('A', T0 + 20))).map((t) => t.id)).toEqual([a.id, b.id]);
      expect(await store.claimTimers(lease('B', T0 + 20))).toEqual([]);
      await store.completeTimer(a.id, T0 + 21);
      await store.rescheduleTimer(b.id, T0 + 500, 'handler failed');
      expect(await store.claimTimers(lease('B', T0 + 499))).toEqual([]);
      const [retry] = await store.claimTimers(lease('B', T0 + 500));
      expect(retry).toMatchObject({ id: b.id, attempts: 1, dueAt: T0 + 500 });
      expect((await store.claimTimers(lease('C', T0 + 30_500))).map((t) => t.id)).toEqual([b.id, later.id]);
      await store.completeTimer(b.id, T0 + 30_501);
      expect((await store.claimTimers(lease('D', T0 + 100_000))).map((t) => t.kind)).toEqual(['later']);
    });
  });

  describe('timer kinds paused', () => {
    it('leaves the timers whose kind starts with a paused prefix for a later claim, by prefix, not pattern', async () => {
      const store = get();
      for (const kind of ['flow_wait', 'flowXwait', 'broadcast.send', 'sla.first_response'])
        await store.scheduleTimer({ kind, dueAt: T0 }, T0);
      // `_` would match any character in a LIKE pattern: a prefix is compared as text.
      const taken = await store.claimTimers(lease('A', T0), ['flow_', 'broadcast']);
      expect(taken.map((t) => t.kind).sort()).toEqual(['flowXwait', 'sla.first_response']);
      const later = await store.claimTimers(lease('B', T0));
      expect(later.map((t) => t.kind).sort()).toEqual(['broadcast.send', 'flow_wait']);
    });
  });

  describe('waking and leases', () => {
    it('reports the earliest instant an outbox row, timer or inbound lease needs a worker', async () => {
      const store = get();
      expect(await store.nextDueAt()).toBeNull();
      const { conversation } = await seed(store);
      await queued(store, conversation.id, T0 + 5000);
      expect(await store.nextDueAt()).toBe(T0 + 5000);
      await store.scheduleTimer({ kind: 'flow.wait', dueAt: T0 + 3000 }, T0);
      expect(await store.nextDueAt()).toBe(T0 + 3000);
      await store.claimTimers(lease('A', T0 + 3000, 10, 10_000));
      expect(await store.nextDueAt()).toBe(T0 + 5000);
      // An unleased pending event is claimable now, so it is not a wake-up time; a leased one is.
      await store.insertInbound([inbound('e1')]);
      expect(await store.nextDueAt()).toBe(T0 + 5000);
      const [event] = await store.claimInbound(lease('A', T0, 1, 1000));
      expect(await store.nextDueAt()).toBe(T0 + 1000);
      await store.failInbound(event!.id, 'boom', T0 + 2000, false);
      expect(await store.nextDueAt()).toBe(T0 + 2000);
    });

    it('takes the earliest of several rows of each kind, leased or not, and leaves paused timer kinds out', async () => {
      const store = get();
      const { conversation } = await seed(store);
      await queued(store, conversation.id, T0 + 900);
      await queued(store, conversation.id, T0 + 800);
      expect(await store.nextDueAt()).toBe(T0 + 800);
      // Both leased: each is next needed when its lease runs out, the shorter first.
      await store.claimOutbox(lease('A', T0 + 900, 1, 4_000));
      await store.claimOutbox(lease('A', T0 + 900, 1, 2_000));
      expect(await store.nextDueAt()).toBe(T0 + 2_900);
      await store.scheduleTimer({ kind: 'flow.wait', dueAt: T0 + 100 }, T0);
      await store.scheduleTimer({ kind: 'sla.first_response', dueAt: T0 + 200 }, T0);
      await store.scheduleTimer({ kind: 'sla.resolution', dueAt: T0 + 300 }, T0);
      expect(await store.nextDueAt()).toBe(T0 + 100);
      expect(await store.nextDueAt(['flow.'])).toBe(T0 + 200);
      expect(await store.nextDueAt(['flow.', 'sla.'])).toBe(T0 + 2_900);
    });

    it("drops one owner's leases on inbound events, outbox rows and timers", async () => {
      const store = get();
      const { conversation } = await seed(store);
      await queued(store, conversation.id, T0);
      await store.scheduleTimer({ kind: 'flow.wait', dueAt: T0 }, T0);
      await store.insertInbound([inbound('e1', 'T', T0), inbound('e2', 'T', T0 + 1)]);
      expect(await store.claimInbound(lease('A', T0))).toHaveLength(2);
      expect(await store.claimOutbox(lease('A', T0))).toHaveLength(1);
      expect(await store.claimTimers(lease('A', T0))).toHaveLength(1);
      await store.releaseLeases('B');
      expect(await store.claimInbound(lease('B', T0))).toEqual([]);
      await store.releaseLeases('A');
      expect((await store.claimInbound(lease('B', T0))).map((e) => e.providerId)).toEqual(['e1', 'e2']);
      expect(await store.claimOutbox(lease('B', T0))).toHaveLength(1);
      expect(await store.claimTimers(lease('B', T0))).toHaveLength(1);
    });
  });

  describe('channel state', () => {
    it('stores JSON values per scope and key', async () => {
      const store = get();
      expect(await store.getState('imap', 'uid')).toBeNull();
      await store.setState('imap', 'uid', { uidValidity: 7, last: 41 });
      await store.setState('imap', 'uid', { uidValidity: 7, last: 42 });
      await store.setState('discord', 'uid', 'a string');
      expect(await store.getState('imap', 'uid')).toEqual({ uidValidity: 7, last: 42 });
      expect(await store.getState<string>('discord', 'uid')).toBe('a string');
      await store.setState('imap', 'uid', null);
      expect(await store.getState('imap', 'uid')).toBeNull();
    });
  });

  describe('locks', () => {
    it('lets one owner hold a lock, renew it, and another take it over only once it expires or is released', async () => {
      const store = get();
      expect(await store.acquireLock('imap:support', 'A', T0, 30_000)).toBe(true);
      expect(await store.acquireLock('imap:support', 'B', T0 + 1_000, 30_000)).toBe(false);
      expect(await store.acquireLock('imap:support', 'A', T0 + 20_000, 30_000)).toBe(true);
      expect(await store.acquireLock('imap:support', 'B', T0 + 31_000, 30_000)).toBe(false);
      expect(await store.acquireLock('imap:support', 'B', T0 + 50_000, 30_000)).toBe(true);
      expect(await store.acquireLock('imap:support', 'A', T0 + 51_000, 30_000)).toBe(false);
      await store.releaseLock('imap:support', 'A');
      expect(await store.acquireLock('imap:support', 'A', T0 + 52_000, 30_000)).toBe(false);
      await store.releaseLock('imap:support', 'B');
      expect(await store.acquireLock('imap:support', 'A', T0 + 53_000, 30_000)).toBe(true);
      expect(await store.acquireLock('discord:gateway', 'B', T0 + 53_000, 30_000)).toBe(true);
    });

    it('gives a free lock to exactly one of many owners asking at the same instant through one store', async () => {
      const store = get();
      const wins = await Promise.all(
        Array.from({ length: 8 }, (_, i) => store.acquireLock('gateway', `owner-${i}`, T0, 30_000)),
      );
      expect(wins.filter(Boolean)).toHaveLength(1);
    });
  });
}
