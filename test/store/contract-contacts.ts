import { describe, expect, it } from 'vitest';
import type { Store } from '../../src/store/contract.ts';
import { seed, T0 } from './fixtures.ts';

export function contactsContract(get: () => Store): void {
  describe('suggestions, merges, tags and contact search', () => {
    it('records a suggested pair once, whichever side noticed it, and decides it once', async () => {
      const store = get();
      const a = await seed(store);
      const b = await seed(store);
      const s = { contactId: a.contactId, otherId: b.contactId, reason: 'mentioned_email' as const, evidence: 'x' };
      const first = await store.suggestMerge(s, T0);
      expect(first).toMatchObject({ status: 'pending', reason: 'mentioned_email', createdAt: T0 });
      expect(await store.suggestMerge({ ...s, contactId: b.contactId, otherId: a.contactId }, T0 + 1)).toBeNull();
      expect(await store.listSuggestions({ status: 'pending', contactId: b.contactId })).toEqual([first]);
      const id = first?.id as string;
      expect(await store.decideSuggestion(id, 'rejected', 'sam', T0 + 2)).toBe(true);
      expect(await store.decideSuggestion(id, 'accepted', 'kim', T0 + 3)).toBe(false);
      expect(await store.getSuggestion(id)).toMatchObject({ status: 'rejected', decidedBy: 'sam', decidedAt: T0 + 2 });
      expect(await store.listSuggestions({ status: 'pending' })).toEqual([]);
      // A rejected pair is not suggested again.
      expect(await store.suggestMerge(s, T0 + 4)).toBeNull();
    });

    it('moves identities, conversations and tags, and redirects the merged-away id along a chain', async () => {
      const store = get();
      const a = await seed(store);
      const b = await seed(store);
      const c = await seed(store);
      await store.scheduleTimer({ kind: 'flow.wait', conversationId: b.conversation.id, dueAt: T0 + 60_000 }, T0);
      await store.addTags(b.contactId, ['vip-list', 'wholesale']);
      await store.addTags(a.contactId, ['wholesale']);
      const moved = await store.transaction(async (tx) => {
        const rows = await tx.moveContactRows(b.contactId, a.contactId);
        await tx.recordMerge({
          fromId: b.contactId,
          intoId: a.contactId,
          by: 'sam',
          at: T0,
          moved: { ...rows, attributes: { moved: [], kept: {} }, optOuts: [] },
        });
        return rows;
      });
      expect(moved.conversations).toEqual([b.conversation.id]);
      expect(moved.timers).toBe(1);
      expect(moved.identities).toHaveLength(1);
      expect(moved.tags).toEqual(['vip-list', 'wholesale']);
      expect((await store.getConversation(b.conversation.id))?.contactId).toBe(a.contactId);
      expect(await store.listIdentities(b.contactId)).toEqual([]);
      expect(await store.listIdentities(a.contactId)).toHaveLength(2);
      expect(await store.tagsOf(a.contactId)).toEqual(['vip-list', 'wholesale']);
      expect(await store.tagsOf(b.contactId)).toEqual([]);
      expect(await store.mergedInto(b.contactId)).toBe(a.contactId);
      expect(await store.mergedInto(a.contactId)).toBeNull();

      await store.transaction(async (tx) => {
        await tx.moveContactRows(a.contactId, c.contactId);
        await tx.recordMerge({
          fromId: a.contactId,
          intoId: c.contactId,
          by: 'sam',
          at: T0 + 1,
          moved: { ...moved, attributes: { moved: [], kept: {} }, optOuts: [] },
        });
      });
      expect(await store.mergedInto(b.contactId)).toBe(c.contactId);
      expect((await store.listMerges(c.contactId)).map((m) => m.fromId)).toEqual([a.contactId]);
      expect((await store.listMerges(a.contactId)).map((m) => m.by)).toEqual(['sam', 'sam']);
      // Merged-away contacts leave the list; the survivor is found by a moved identity.
      const listed = await store.listContacts({ search: '@example.com' });
      expect(listed.map((x) => x.id)).toEqual([c.contactId]);
    });

    it('searches names and identities with % and _ taken literally, by tag, by VIP, newest first, paged', async () => {
      const store = get();
      const ann = await store.createContact({ name: 'Ann 100% Real' }, { kind: 'email', value: 'ann_x@shop.test' }, T0);
      const bob = await store.createContact(
        { name: 'Bob', vip: true },
        { kind: 'phone', value: '+447700900001' },
        T0 + 1,
      );
      await store.addTags(bob.id, ['wholesale']);
      const ids = async (q: Parameters<Store['listContacts']>[0]) => (await store.listContacts(q)).map((c) => c.id);
      expect(await ids({ search: '100%' })).toEqual([ann.id]);
      expect(await ids({ search: '0% r' })).toEqual([ann.id]);
      expect(await ids({ search: 'N_X' })).toEqual([ann.id]);
      expect(await ids({ search: 'n%x' })).toEqual([]);
      expect(await ids({ search: '7700900' })).toEqual([bob.id]);
      expect(await ids({ tag: 'wholesale' })).toEqual([bob.id]);
      expect(await ids({ vip: true })).toEqual([bob.id]);
      expect(await ids({ limit: 1 })).toEqual([bob.id]);
      expect(await ids({ limit: 1, before: bob.createdAt })).toEqual([ann.id]);
      await store.removeTags(bob.id, ['wholesale']);
      expect(await ids({ tag: 'wholesale' })).toEqual([]);
      expect(await store.idsWithPrefix('contacts', ann.id.slice(0, 20), 2)).toEqual([ann.id]);
      expect(await store.findContactsByName('ann 100% real', 5)).toEqual([ann]);
    });

    it('finds contacts by an attribute value, text or number, and records their history', async () => {
      const store = get();
      const gold = await store.createContact(
        { attributes: { plan: 'gold', lifetimeSpend: 1200, 'loyalty-id': 'L:7' } },
        { kind: 'email', value: 'gold@shop.test' },
        T0,
      );
      await store.createContact(
        { attributes: { plan: 'silver', lifetimeSpend: 80 } },
        { kind: 'email', value: 's@shop.test' },
        T0,
      );
      const ids = async (name: string, value: string) =>
        (await store.listContacts({ attribute: { name, value } })).map((c) => c.id);
      expect(await ids('plan', 'gold')).toEqual([gold.id]);
      expect(await ids('lifetimeSpend', '1200')).toEqual([gold.id]);
      expect(await ids('loyalty-id', 'L:7')).toEqual([gold.id]);
      expect(await ids('plan', 'platinum')).toEqual([]);
      expect(await ids('nothing', 'gold')).toEqual([]);
      await store.recordContactChange({
        contactId: gold.id,
        kind: 'vip',
        channel: null,
        on: true,
        source: 'tag vip',
        at: T0,
      });
      await store.recordContactChange({
        contactId: gold.id,
        kind: 'consent',
        channel: 'sms',
        on: true,
        source: 'event',
        at: T0 + 1,
      });
      expect((await store.contactHistory(gold.id)).map((h) => [h.kind, h.on])).toEqual([
        ['vip', true],
        ['consent', true],
      ]);
      expect((await store.contactHistory(gold.id, ['consent'])).map((h) => h.channel)).toEqual(['sms']);
    });
  });
}
