import { describe, expect, it } from 'vitest';
import type { Store } from '../../src/store/contract.ts';
import { seed, T0 } from './fixtures.ts';

/** The desk's records: dispositions by period, and the live workload per agent that assignment weighs. */
export function deskContract(get: () => Store): void {
  describe('desk records', () => {
    it('keeps dispositions for the report, by period', async () => {
      const store = get();
      const { conversation } = await seed(store);
      await store.recordResolution({
        conversationId: conversation.id,
        at: T0,
        code: 'refunded',
        agent: 'ann',
        category: 'orders',
      });
      await store.recordResolution({
        conversationId: conversation.id,
        at: T0 + 10,
        code: 'duplicate',
        agent: null,
        category: null,
      });
      expect(await store.resolutionsBetween(T0, T0 + 10)).toMatchObject([
        { conversationId: conversation.id, at: T0, code: 'refunded', agent: 'ann', category: 'orders' },
      ]);
      expect((await store.resolutionsBetween(T0, T0 + 11)).map((r) => r.code)).toEqual(['refunded', 'duplicate']);
    });

    it('counts live conversations per assignee, resolved ones not', async () => {
      const store = get();
      const a = await seed(store);
      const b = await seed(store);
      const done = await seed(store, { status: 'resolved' });
      for (const s of [a, b, done]) await store.updateConversation(s.conversation.id, { assignee: 'ann' }, T0);
      await store.updateConversation(b.conversation.id, { status: 'snoozed' }, T0);
      const counts = await store.openCounts(['ann', 'bob']);
      expect(Object.fromEntries(counts)).toEqual({ ann: 2, bob: 0 });
    });
  });
}
