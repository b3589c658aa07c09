import { afterEach, beforeEach, describe, expect, it } from 'vitest';
import type { Store } from '../../src/store/contract.ts';
import { newConversation } from '../support/records.ts';
import { browseContract } from './contract-browse.ts';
import { contactsContract } from './contract-contacts.ts';
import { deskContract } from './contract-desk.ts';
import { factsContract } from './contract-facts.ts';
import { handoffContract } from './contract-handoff.ts';
import { inboundContract } from './contract-inbound.ts';
import { kpiDaysContract } from './contract-kpi-days.ts';
import { outboxContract } from './contract-outbox.ts';
import { peopleContract } from './contract-people.ts';
import { privacyContract } from './contract-privacy.ts';
import { timersContract } from './contract-timers.ts';
import { inbound, lease, message, seed, T0 } from './fixtures.ts';

/**
 * The behaviour every Store must show, run against each dialect. `makeStore`
 * returns a migrated, empty store; the suite closes it after each test.
 */
export function storeContract(name: string, makeStore: () => Promise<Store>): void {
  describe(`Store contract: ${name}`, () => {
    let store: Store;
    beforeEach(async () => {
      store = await makeStore();
    });
    afterEach(async () => {
      await store.close();
    });
    const get = () => store;

    inboundContract(get);
    handoffContract(get);
    peopleContract(get);
    deskContract(get);
    contactsContract(get);
    outboxContract(get);
    timersContract(get);
    factsContract(get);
    kpiDaysContract(get);
    browseContract(get);
    privacyContract(get);

    describe('transactions', () => {
      it('commits everything written through the transaction handle', async () => {
        const { conversation } = await seed(store);
        const result = await store.transaction(async (tx) => {
          await tx.lockThread('email', conversation.threadKey);
          const msg = await tx.insertMessage(message(conversation.id), T0);
          await tx.enqueueOutbound(
            { messageId: msg.id, conversationId: conversation.id, channel: 'email', destination: 'x', dueAt: T0 },
            T0,
          );
          await tx.updateConversation(conversation.id, { status: 'pending' }, T0 + 1);
          return msg.id;
        });
        expect((await store.listMessages(conversation.id)).map((m) => m.id)).toEqual([result]);
        expect(await store.countOutbox('pending')).toBe(1);
        expect((await store.getConversation(conversation.id))?.status).toBe('pending');
      });

      it('writes nothing when the function throws', async () => {
        await store.insertInbound([inbound('e1')]);
        const [event] = await store.claimInbound(lease('A', T0));
        const failure = store.transaction(async (tx) => {
          await tx.lockThread('webchat', 't1');
          const contact = await tx.createContact({ name: 'Ann' }, { kind: 'webchat', value: 'v1' }, T0);
          const conversation = await tx.createConversation(
            newConversation(contact.id, 'webchat', 't1', { lastInboundAt: T0 }),
            T0,
          );
          const msg = await tx.insertMessage(message(conversation.id), T0);
          await tx.enqueueOutbound(
            { messageId: msg.id, conversationId: conversation.id, channel: 'webchat', destination: 'v1', dueAt: T0 },
            T0,
          );
          await tx.scheduleTimer({ kind: 'flow.wait', conversationId: conversation.id, dueAt: T0, key: 'k' }, T0);
          await tx.completeInbound(event!.id, T0, conversation.id);
          throw new Error('routing failed');
        });
        await expect(failure).rejects.toThrow('routing failed');
        expect(await store.findContactByIdentity({ kind: 'webchat', value: 'v1' })).toBeNull();
        expect(await store.findConversationByThread('webchat', 't1', ['open'])).toBeNull();
        expect(await store.countOutbox('pending')).toBe(0);
        expect(await store.claimTimers(lease('A', T0))).toEqual([]);
        expect(await store.cancelTimerByKey('k')).toBe(false);
        expect(await store.countInbound('pending')).toBe(1);
        // The store keeps working after a rollback.
        expect((await store.transaction(async (tx) => tx.getContact('nobody'))) ?? 'none').toBe('none');
      });
    });

    describe('schema', () => {
      it('migrates idempotently', async () => {
        const { conversation } = await seed(store);
        await store.migrate();
        await store.migrate();
        expect(await store.getConversation(conversation.id)).toEqual(conversation);
      });
    });
  });
}
