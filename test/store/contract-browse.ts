import { describe, expect, it } from 'vitest';
import type { Store } from '../../src/store/contract.ts';
import { newConversation } from '../support/records.ts';
import { message, T0 } from './fixtures.ts';

const MIN = 60_000;

/** Eight conversations, two by two at the same instant; every third VIP, every fourth late for its first answer. */
async function several(store: Store): Promise<string[]> {
  const ids: string[] = [];
  for (let i = 0; i < 8; i++) {
    const at = T0 + Math.floor(i / 2) * MIN;
    ids.push(
      await store.transaction(async (tx) => {
        const k = await tx.createContact(
          { name: `C${i}`, vip: i % 3 === 0 },
          { kind: 'email', value: `b${i}@example.com` },
          at,
        );
        const c = await tx.createConversation(
          newConversation(k.id, i % 2 ? 'sms' : 'email', `browse-${i}`, {
            category: i < 4 ? 'orders' : 'billing',
            assignee: i === 5 ? 'ann' : null,
            status: i === 7 ? 'resolved' : 'open',
          }),
          at,
        );
        await tx.insertMessage(
          message(c.id, { direction: 'inbound', author: { kind: 'contact' }, status: 'received' }),
          at,
        );
        if (i % 4 === 0) await tx.updateConversation(c.id, { sla: { firstResponseDue: at + 10 * MIN } }, at);
        return c.id;
      }),
    );
  }
  return ids;
}

export function browseContract(get: () => Store): void {
  describe('the owner’s conversation list', () => {
    it('pages newest activity first on (updated, id), each conversation once, ties included', async () => {
      await several(get());
      const seen: string[] = [];
      let after: { updatedAt: number; id: string } | undefined;
      for (let i = 0; i < 10; i++) {
        const page = await get().browseConversations({ now: T0, limit: 3, ...(after ? { after } : {}) });
        seen.push(...page.map((r) => r.conversation.id));
        const last = page.at(-1)?.conversation;
        if (!last || page.length < 3) break;
        after = { updatedAt: last.updatedAt, id: last.id };
      }
      const all = await get().browseConversations({ now: T0, limit: 100 });
      expect(seen).toEqual(all.map((r) => r.conversation.id));
      expect(new Set(seen).size).toBe(8);
      const keys = all.map((r) => [r.conversation.updatedAt, r.conversation.id] as const);
      expect(keys).toEqual([...keys].sort((a, b) => b[0] - a[0] || (a[1] < b[1] ? 1 : -1)));
    });

    it('filters by status, channel, category, agent, VIP and breached SLA', async () => {
      const ids = await several(get());
      const q = async (f: Omit<Parameters<Store['browseConversations']>[0], 'now'>, now = T0) =>
        (await get().browseConversations({ now, ...f })).map((r) => ids.indexOf(r.conversation.id)).sort();
      expect(await q({ channel: 'sms' })).toEqual([1, 3, 5, 7]);
      expect(await q({ category: 'billing', status: ['open'] })).toEqual([4, 5, 6]);
      expect(await q({ agent: 'ann' })).toEqual([5]);
      expect(await q({ vip: true })).toEqual([0, 3, 6]);
      expect(await q({ vip: false, channel: 'email' })).toEqual([2, 4]);
      // due 10 minutes after opening: not late yet at T0, late an hour on
      expect(await q({ breached: true })).toEqual([]);
      expect(await q({ breached: true }, T0 + 60 * MIN)).toEqual([0, 4]);
      expect(await q({ breached: false }, T0 + 60 * MIN)).toEqual([1, 2, 3, 5, 6, 7]);
      expect((await get().browseConversations({ now: T0, vip: true, limit: 1 }))[0]).toMatchObject({
        contactName: 'C6',
        vip: true,
        breached: false,
      });
    });
  });
}
