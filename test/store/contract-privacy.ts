import { describe, expect, it } from 'vitest';
import type { Store } from '../../src/store/contract.ts';
import { inbound, message, queued, seed, T0 } from './fixtures.ts';

/** Agent accounts, the audit log, erasures and tombstones, the same on every dialect. */
export function privacyContract(get: () => Store): void {
  describe('agents, audit log and erasure', () => {
    it('keeps agents and tokens, revokes live tokens only, and counts them', async () => {
      const store = get();
      const ann = { id: 'ann', name: 'Ann', role: 'agent', slackUser: 'U1', createdAt: T0 } as const;
      expect(await store.createAgent(ann)).toBe(true);
      expect(await store.createAgent({ ...ann, id: 'ann2' })).toBe(false);
      await store.addAgentToken({ id: 'k1', agentId: 'ann', salt: 's', hash: 'h', createdAt: T0, revokedAt: null });
      expect(await store.liveTokenCounts()).toEqual(new Map([['ann', 1]]));
      expect(await store.revokeAgentTokens('ann', T0 + 1)).toBe(1);
      expect(await store.revokeAgentTokens('ann', T0 + 2)).toBe(0);
      expect(await store.getAgentToken('k1')).toMatchObject({ revokedAt: T0 + 1 });
      expect(await store.updateAgent('ann', { role: 'admin', slackUser: null })).toBe(true);
      expect(await store.getAgent('ann')).toEqual({ ...ann, role: 'admin', slackUser: null });
    });

    it('appends audit entries and reads them newest first, filtered', async () => {
      const store = get();
      const base = { actorRole: 'agent', via: 'api', conversationId: 'c1', contactId: 'p1', detail: {} } as const;
      await store.appendAudit({ ...base, actorId: 'ann', action: 'reply', detail: { messageId: 'm1' } }, T0);
      await store.appendAudit({ ...base, actorId: 'bob', action: 'resolve' }, T0 + 1);
      expect((await store.listAudit({})).map((e) => e.action)).toEqual(['resolve', 'reply']);
      expect(await store.listAudit({ actorId: 'ann' })).toEqual([
        expect.objectContaining({ action: 'reply', at: T0, detail: { messageId: 'm1' } }),
      ]);
      expect(await store.listAudit({ before: T0 + 1, contactId: 'p1' })).toHaveLength(1);
    });

    it('erases a contact’s rows, keeps the shells, and records tombstones and the job', async () => {
      const store = get();
      const { conversation, contactId } = await seed(store, { channel: 'sms', threadKey: 'us/them' });
      await queued(store, conversation.id);
      await store.transaction((tx) => tx.insertMessage(message(conversation.id, { direction: 'inbound' }), T0));
      await store.insertInbound([{ ...inbound('e9', 'us/them', T0, 'sms') }]);
      const [identity] = await store.listIdentities(contactId);
      const ref = { kind: identity?.kind as string, value: identity?.value as string };
      expect(await store.requestErasure(contactId, 'admin', [ref], T0)).toBe(true);
      expect(await store.requestErasure(contactId, 'admin', [ref], T0)).toBe(false);
      expect(await store.pendingErasures()).toEqual([contactId]);
      expect(await store.isTombstoned(ref)).toBe(true);
      const rows = await store.eraseContactRows(contactId, T0 + 5);
      expect(rows).toMatchObject({ messages: 2, outbox: 1, inboundEvents: 1, identities: 1, conversations: 1 });
      await store.finishErasure(contactId, T0 + 5);
      expect(await store.erasureStatus(contactId)).toEqual({ status: 'done', finishedAt: T0 + 5 });
      expect(await store.listMessages(conversation.id)).toEqual([]);
      expect(await store.getConversation(conversation.id)).toMatchObject({
        status: 'closed',
        threadKey: `erased:${conversation.id}`,
      });
      expect(await store.getContact(contactId)).toMatchObject({ name: null, optOuts: ['*'] });
      expect(await store.eraseContactRows(contactId, T0 + 6)).toMatchObject({ messages: 0, identities: 0 });
      await store.liftTombstone(ref);
      expect(await store.isTombstoned(ref)).toBe(false);
    });
  });
}
