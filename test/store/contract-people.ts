import { describe, expect, it } from 'vitest';
import { StoreError } from '../../src/errors.ts';
import type { Conversation } from '../../src/model/types.ts';
import type { Store } from '../../src/store/contract.ts';
import { message, seed, T0 } from './fixtures.ts';

export function peopleContract(get: () => Store): void {
  describe('contacts and identities', () => {
    it('creates a contact with its first identity and finds it by any identity', async () => {
      const store = get();
      const contact = await store.createContact(
        { name: 'Ann', vip: true, language: 'fr' },
        { kind: 'email', value: 'ann@example.com', verified: true },
        T0,
      );
      expect(contact).toMatchObject({
        name: 'Ann',
        vip: true,
        language: 'fr',
        timezone: null,
        optOuts: [],
        createdAt: T0,
      });
      expect(await store.findContactByIdentity({ kind: 'email', value: 'ann@example.com' })).toEqual(contact);
      expect(await store.findContactByIdentity({ kind: 'phone', value: 'ann@example.com' })).toBeNull();

      await store.addIdentity(contact.id, { kind: 'phone', value: '+15551234567' });
      await store.addIdentity(contact.id, { kind: 'phone', value: '+15551234567', verified: true });
      expect(await store.findContactByIdentity({ kind: 'phone', value: '+15551234567' })).toEqual(contact);
    });

    it('refuses to move an identity to another contact, and refuses a second contact with it', async () => {
      const store = get();
      const ann = await store.createContact({}, { kind: 'email', value: 'ann@example.com' }, T0);
      const bob = await store.createContact({}, { kind: 'email', value: 'bob@example.com' }, T0);
      await expect(store.addIdentity(bob.id, { kind: 'email', value: 'ann@example.com' })).rejects.toBeInstanceOf(
        StoreError,
      );
      await expect(store.createContact({}, { kind: 'email', value: 'ann@example.com' }, T0)).rejects.toThrow();
      expect((await store.findContactByIdentity({ kind: 'email', value: 'ann@example.com' }))?.id).toBe(ann.id);
    });

    it('lists every identity of a contact, verified ones first, and none for an unknown contact', async () => {
      const store = get();
      const ann = await store.createContact({}, { kind: 'webchat', value: 'visitor-9' }, T0);
      const bob = await store.createContact({}, { kind: 'email', value: 'bob@example.com' }, T0);
      await store.addIdentity(ann.id, { kind: 'email', value: 'ann@example.com', verified: true });
      await store.addIdentity(ann.id, { kind: 'sms', value: '+15550001111' });
      const identities = await store.listIdentities(ann.id);
      expect(identities.map((i) => `${i.kind}:${i.value}`).sort()).toEqual([
        'email:ann@example.com',
        'sms:+15550001111',
        'webchat:visitor-9',
      ]);
      expect(identities[0]).toMatchObject({
        contactId: ann.id,
        kind: 'email',
        value: 'ann@example.com',
        verified: true,
      });
      expect(identities.slice(1).every((i) => i.verified === false && i.contactId === ann.id)).toBe(true);
      expect((await store.listIdentities(bob.id)).map((i) => i.value)).toEqual(['bob@example.com']);
      expect(await store.listIdentities('nobody')).toEqual([]);
    });

    it('updates a contact with a patch and leaves other fields alone', async () => {
      const store = get();
      const contact = await store.createContact({ name: 'Ann' }, { kind: 'sms', value: '+1555' }, T0);
      await store.updateContact(contact.id, { vip: true, optOuts: ['sms'], attributes: { plan: 'gold' } });
      await store.updateContact(contact.id, {});
      expect(await store.getContact(contact.id)).toEqual({
        ...contact,
        vip: true,
        optOuts: ['sms'],
        attributes: { plan: 'gold' },
      });
      expect(await store.getContact('nope')).toBeNull();
    });
  });

  describe('conversations', () => {
    it('round-trips a conversation and applies patches', async () => {
      const store = get();
      const { conversation } = await seed(store, { threadKey: 'th-1' });
      expect(await store.getConversation(conversation.id)).toEqual(conversation);
      await store.updateConversation(
        conversation.id,
        {
          status: 'pending',
          tags: ['billing'],
          links: [{ rel: 'related', conversationId: 'x' }],
          sla: { firstResponseDue: T0 + 60_000 },
          flowState: { step: 'ask', vars: { n: 1 } },
          replyRef: { messageId: '<m1@x>' },
          assignee: 'agent-1',
          lastInboundAt: T0 + 10,
        },
        T0 + 100,
      );
      expect(await store.getConversation(conversation.id)).toEqual({
        ...conversation,
        status: 'pending',
        tags: ['billing'],
        links: [{ rel: 'related', conversationId: 'x' }],
        sla: { firstResponseDue: T0 + 60_000 },
        flowState: { step: 'ask', vars: { n: 1 } },
        replyRef: { messageId: '<m1@x>' },
        assignee: 'agent-1',
        lastInboundAt: T0 + 10,
        updatedAt: T0 + 100,
      });
      expect(await store.getConversation('nope')).toBeNull();
    });

    it('finds the most recently updated conversation on a thread among the given statuses', async () => {
      const store = get();
      const old = await seed(store, { threadKey: 'th', status: 'resolved', now: T0 });
      const current = await seed(store, { threadKey: 'th', status: 'open', now: T0 + 10 });
      const find = (statuses: Parameters<Store['findConversationByThread']>[2]) =>
        store.findConversationByThread('email', 'th', statuses).then((c) => c?.id ?? null);
      expect(await find(['open', 'pending'])).toBe(current.conversation.id);
      expect(await find(['resolved'])).toBe(old.conversation.id);
      expect(await find(['open', 'resolved'])).toBe(current.conversation.id);
      await store.updateConversation(old.conversation.id, { status: 'open' }, T0 + 20);
      expect(await find(['open'])).toBe(old.conversation.id);
      expect(await find(['closed'])).toBeNull();
      expect(await find([])).toBeNull();
      expect(await store.findConversationByThread('sms', 'th', ['open'])).toBeNull();
    });

    it("lists a contact's conversations, most recently updated first, by status and channel", async () => {
      const store = get();
      const { contactId, conversation: first } = await seed(store, { channel: 'email', now: T0 });
      const other = await seed(store, { channel: 'sms', now: T0 + 1 });
      const open = (channel: string, status: Conversation['status'], now: number) =>
        store.createConversation(
          {
            ...first,
            contactId,
            threadKey: `${channel}-${now}`,
            status,
            touchpoint: { channel, kind: channel, visibility: 'private' },
          },
          now,
        );
      const sms = await open('sms', 'resolved', T0 + 10);
      const chat = await open('webchat', 'closed', T0 + 20);
      const ids = (list: Conversation[]) => list.map((c) => c.id);
      expect(ids(await store.findConversationsOfContact(contactId))).toEqual([chat.id, sms.id, first.id]);
      await store.updateConversation(first.id, { status: 'pending' }, T0 + 30);
      const all = await store.findConversationsOfContact(contactId);
      expect(ids(all)).toEqual([first.id, chat.id, sms.id]);
      expect(all[0]).toEqual({ ...first, status: 'pending', updatedAt: T0 + 30 });
      const find = (opts: Parameters<Store['findConversationsOfContact']>[1]) =>
        store.findConversationsOfContact(contactId, opts).then(ids);
      expect(await find({ statuses: ['open', 'pending', 'resolved'] })).toEqual([first.id, sms.id]);
      expect(await find({ channel: 'sms' })).toEqual([sms.id]);
      expect(await find({ channel: 'sms', statuses: ['open'] })).toEqual([]);
      expect(await find({ limit: 2 })).toEqual([first.id, chat.id]);
      expect(await find({ statuses: [] })).toEqual([]);
      expect(await store.findConversationsOfContact(other.contactId)).toEqual([other.conversation]);
      expect(await store.findConversationsOfContact('nobody')).toEqual([]);
      await expect(store.findConversationsOfContact(contactId, { limit: 0 })).rejects.toBeInstanceOf(StoreError);
    });

    it("reads a contact's conversations inside a transaction, including ones it just opened", async () => {
      const store = get();
      const { contactId, conversation } = await seed(store, { now: T0 });
      const seen = await store.transaction(async (tx) => {
        const made = await tx.createConversation({ ...conversation, threadKey: 'later' }, T0 + 5);
        return { made, list: await tx.findConversationsOfContact(contactId, { channel: 'email' }) };
      });
      expect(seen.list.map((c) => c.id)).toEqual([seen.made.id, conversation.id]);
    });

    it('finds a conversation by the provider ids of its messages', async () => {
      const store = get();
      const { conversation } = await seed(store);
      await store.insertMessage(message(conversation.id, { providerId: '<m1@us>' }), T0);
      const found = await store.findConversationByProviderIds('email', ['<other@x>', '<m1@us>']);
      expect(found?.id).toBe(conversation.id);
      expect(await store.findConversationByProviderIds('sms', ['<m1@us>'])).toBeNull();
      expect(await store.findConversationByProviderIds('email', [])).toBeNull();
    });

    it('lists conversations newest first, filtered by status, channel and time', async () => {
      const store = get();
      const a = await seed(store, { channel: 'email', status: 'open', now: T0 });
      const b = await seed(store, { channel: 'sms', status: 'open', now: T0 + 1 });
      const c = await seed(store, { channel: 'email', status: 'resolved', now: T0 + 2 });
      const ids = (list: { id: string }[]) => list.map((x) => x.id);
      expect(ids(await store.listConversations({}))).toEqual([c, b, a].map((x) => x.conversation.id));
      expect(ids(await store.listConversations({ status: ['open'] }))).toEqual([b, a].map((x) => x.conversation.id));
      expect(ids(await store.listConversations({ channel: 'email' }))).toEqual([c, a].map((x) => x.conversation.id));
      expect(ids(await store.listConversations({ before: T0 + 2, limit: 1 }))).toEqual([b.conversation.id]);
      expect(await store.listConversations({ status: [] })).toEqual([]);
      await expect(store.listConversations({ limit: 0 })).rejects.toBeInstanceOf(StoreError);
    });
  });

  describe('messages and history', () => {
    it('lists messages in creation order, even when they share a timestamp, and pages after an id', async () => {
      const store = get();
      const { conversation } = await seed(store);
      const made = await store.transaction(async (tx) => {
        const out = [];
        for (const text of ['one', 'two', 'three', 'four']) {
          out.push(await tx.insertMessage(message(conversation.id, { text }), T0));
        }
        out.push(await tx.insertMessage(message(conversation.id, { text: 'note', visibility: 'internal' }), T0));
        return out;
      });
      expect(made[0]).toMatchObject({ text: 'one', createdAt: T0, author: { kind: 'bot' }, providerId: null });
      const texts = (list: { text: string }[]) => list.map((m) => m.text);
      expect(await store.listMessages(conversation.id)).toEqual(made.slice(0, 4));
      expect(texts(await store.listMessages(conversation.id, { includeInternal: true }))).toEqual([
        'one',
        'two',
        'three',
        'four',
        'note',
      ]);
      expect(texts(await store.listMessages(conversation.id, { afterId: made[1]?.id, limit: 1 }))).toEqual(['three']);
      expect(texts(await store.listMessages(conversation.id, { afterId: made[3]?.id }))).toEqual([]);
    });

    it('orders by the message time first, then by id', async () => {
      const store = get();
      const { conversation } = await seed(store);
      const late = await store.insertMessage(message(conversation.id, { text: 'late', createdAt: T0 + 50 }), T0);
      const early = await store.insertMessage(message(conversation.id, { text: 'early', createdAt: T0 + 10 }), T0);
      expect((await store.listMessages(conversation.id)).map((m) => m.id)).toEqual([early.id, late.id]);
      expect((await store.listMessages(conversation.id, { afterId: early.id })).map((m) => m.id)).toEqual([late.id]);
    });

    it('keeps rich parts, attachments and authors', async () => {
      const store = get();
      const { conversation } = await seed(store);
      const made = await store.insertMessage(
        message(conversation.id, {
          direction: 'inbound',
          author: { kind: 'contact', id: 'c1', name: 'Ann' },
          parts: [{ type: 'buttons', options: ['a', 'b'] }],
          attachments: [{ name: 'a.pdf', contentType: 'application/pdf', size: 10 }],
          providerId: 'wamid.1',
          status: 'received',
        }),
        T0,
      );
      expect(await store.listMessages(conversation.id)).toEqual([made]);
    });

    it('gives the thread history of the latest conversation, without internal notes, after an id', async () => {
      const store = get();
      const old = await seed(store, { channel: 'webchat', threadKey: 'visitor-1', now: T0 });
      await store.insertMessage(message(old.conversation.id, { text: 'old' }), T0);
      const { conversation } = await seed(store, { channel: 'webchat', threadKey: 'visitor-1', now: T0 + 1 });
      const hi = await store.insertMessage(message(conversation.id, { text: 'hi' }), T0 + 2);
      await store.insertMessage(message(conversation.id, { text: 'agent note', visibility: 'internal' }), T0 + 3);
      const reply = await store.insertMessage(message(conversation.id, { text: 'reply' }), T0 + 4);
      const texts = (list: { text: string }[]) => list.map((m) => m.text);
      expect(texts(await store.threadHistory('webchat', 'visitor-1'))).toEqual(['hi', 'reply']);
      expect(await store.threadHistory('webchat', 'visitor-1', { afterId: hi.id })).toEqual([reply]);
      expect(texts(await store.threadHistory('webchat', 'visitor-1', { limit: 1 }))).toEqual(['hi']);
      expect(await store.threadHistory('webchat', 'visitor-1', { afterId: reply.id })).toEqual([]);
      expect(await store.threadHistory('webchat', 'nobody')).toEqual([]);
    });

    it('reports deliveries against our messages without moving a status backwards', async () => {
      const store = get();
      const { conversation } = await seed(store, { channel: 'sms' });
      await store.insertMessage(message(conversation.id, { providerId: 'SM1', status: 'sent' }), T0);
      expect(await store.updateDelivery('sms', 'SM1', 'read', null)).toMatchObject({
        providerId: 'SM1',
        status: 'read',
      });
      expect(await store.updateDelivery('sms', 'SM1', 'delivered', null)).toMatchObject({ status: 'read' });
      expect(await store.updateDelivery('sms', 'SM1', 'failed', '30003')).toMatchObject({
        status: 'failed',
        error: '30003',
      });
      expect((await store.listMessages(conversation.id))[0]).toMatchObject({ status: 'failed', error: '30003' });
      expect(await store.updateDelivery('sms', 'SM-unknown', 'delivered', null)).toBeNull();
      expect(await store.updateDelivery('email', 'SM1', 'delivered', null)).toBeNull();
    });
  });
}
