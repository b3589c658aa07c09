import { describe, expect, it } from 'vitest';
import type { Store } from '../../src/store/contract.ts';
import { lease, message, queued, seed, T0 } from './fixtures.ts';

export function outboxContract(get: () => Store): void {
  describe('outbox', () => {
    it('leases due jobs earliest first and again once the lease expires', async () => {
      const store = get();
      const { conversation } = await seed(store);
      const later = await queued(store, conversation.id, T0 + 5000);
      const second = await queued(store, conversation.id, T0 + 10);
      const first = await queued(store, conversation.id, T0);
      const claimed = await store.claimOutbox(lease('A', T0 + 10));
      expect(claimed.map((j) => j.id)).toEqual([first.job.id, second.job.id]);
      expect(claimed[0]).toEqual(first.job);
      expect(await store.claimOutbox(lease('B', T0 + 10))).toEqual([]);
      expect((await store.claimOutbox(lease('B', T0 + 30_010, 1))).map((j) => j.id)).toEqual([first.job.id]);
      expect(await store.countOutbox('pending')).toBe(3);
      expect(later.job.dueAt).toBe(T0 + 5000);
    });

    it('lists the provider ids of our messages on every conversation of the thread, none of another thread', async () => {
      const store = get();
      const first = await seed(store, { channel: 'sms', threadKey: '+15550001/+15550002', status: 'resolved' });
      const next = await seed(store, { channel: 'sms', threadKey: '+15550001/+15550002' });
      const other = await seed(store, { channel: 'sms', threadKey: '+15550001/+15550003' });
      await store.insertMessage(message(first.conversation.id, { providerId: 'SM1' }), T0);
      await store.insertMessage(message(next.conversation.id, { providerId: 'SM2' }), T0 + 1);
      await store.insertMessage(message(other.conversation.id, { providerId: 'SM3' }), T0 + 2);
      await store.insertMessage(message(next.conversation.id, { providerId: 'SM4', direction: 'inbound' }), T0 + 3);
      expect((await store.sentProviderIds(next.conversation.id)).sort()).toEqual(['SM1', 'SM2']);
    });

    it('says how many replies wait per sender, and how many are ahead of a conversation’s last one', async () => {
      const store = get();
      const a = { channel: 'sms', destination: '+15550001' };
      const b = { channel: 'sms', destination: '+15550009' };
      type Conv = Awaited<ReturnType<typeof seed>>['conversation'];
      const convs: Conv[] = [];
      for (let i = 0; i < 5; i++) convs.push((await seed(store, { channel: 'sms', threadKey: `t${i}` })).conversation);
      const [c0, c1, c2, c3, c4] = convs as [Conv, Conv, Conv, Conv, Conv];
      await queued(store, c0.id, T0, {}, a);
      await queued(store, c1.id, T0 + 1, {}, b);
      await queued(store, c2.id, T0 + 2, {}, a);
      const sent = await queued(store, c3.id, T0 + 3, {}, a);
      await queued(store, c4.id, T0 + 4, {}, a);
      await queued(store, c4.id, T0 + 5, {}, a);
      // A sent reply waits no more: it is neither counted nor ahead of anyone.
      await store.markSent(sent.job.id, 'SM1', 'sent', T0 + 10);
      expect(await store.outboxLanes(10)).toEqual([
        { channel: 'sms', destination: '+15550001', waiting: 4, oldestDueAt: T0 },
        { channel: 'sms', destination: '+15550009', waiting: 1, oldestDueAt: T0 + 1 },
      ]);
      expect(await store.queuedReply(c4.id)).toMatchObject({
        channel: 'sms',
        destination: '+15550001',
        dueAt: T0 + 5,
        aheadInLane: 3,
        aheadInChannel: 4,
      });
      expect(await store.queuedReply(c0.id)).toMatchObject({ aheadInLane: 0, aheadInChannel: 0 });
      expect(await store.queuedReply(c3.id)).toBeNull();
    });

    it('extends and frees a lease only for the owner that holds it', async () => {
      const store = get();
      const { conversation } = await seed(store);
      const { job } = await queued(store, conversation.id, T0);
      await store.claimOutbox(lease('A', T0));
      expect(await store.renewOutboxLease(job.id, 'B', T0 + 90_000)).toBe(false);
      expect(await store.renewOutboxLease(job.id, 'A', T0 + 90_000)).toBe(true);
      // Past the first lease, within the extended one: nobody else can take it.
      expect(await store.claimOutbox(lease('B', T0 + 60_000))).toEqual([]);
      await store.releaseOutboxLease(job.id, 'B');
      expect(await store.claimOutbox(lease('B', T0 + 60_000))).toEqual([]);
      await store.releaseOutboxLease(job.id, 'A');
      expect((await store.claimOutbox(lease('B', T0 + 60_000))).map((j) => j.id)).toEqual([job.id]);
      expect(await store.renewOutboxLease(job.id, 'A', T0 + 120_000)).toBe(false);
    });

    it('loads a job with its message, conversation and the provider ids it answers', async () => {
      const store = get();
      const { conversation } = await seed(store);
      await store.insertMessage(message(conversation.id, { direction: 'inbound', providerId: '<c1@them>' }), T0);
      await store.insertMessage(message(conversation.id, { providerId: null }), T0 + 1);
      await store.insertMessage(message(conversation.id, { providerId: '<b1@us>' }), T0 + 2);
      await store.insertMessage(message(conversation.id, { providerId: '<note@us>', visibility: 'internal' }), T0 + 3);
      const { msg, job } = await queued(store, conversation.id, T0, { text: 'answer', createdAt: T0 + 50 });
      await store.insertMessage(message(conversation.id, { providerId: '<after@us>' }), T0 + 99);
      const loaded = await store.loadOutbound(job);
      expect(loaded?.message).toEqual(msg);
      expect(loaded?.conversation).toEqual(conversation);
      expect(loaded?.references).toEqual(['<c1@them>', '<b1@us>']);
      expect(await store.loadOutbound({ ...job, messageId: 'missing' })).toBeNull();
    });

    it('marks a job sent and records the provider id on its message', async () => {
      const store = get();
      const { conversation } = await seed(store);
      const { msg, job } = await queued(store, conversation.id);
      await store.claimOutbox(lease('A', T0));
      await store.markSent(job.id, '<sent@us>', 'sent', T0 + 5);
      expect(await store.countOutbox('sent')).toBe(1);
      expect(await store.countOutbox('pending')).toBe(0);
      expect(await store.claimOutbox(lease('B', T0 + 60_000))).toEqual([]);
      expect((await store.listMessages(conversation.id))[0]).toMatchObject({
        id: msg.id,
        providerId: '<sent@us>',
        status: 'sent',
      });
      expect((await store.findConversationByProviderIds('email', ['<sent@us>']))?.id).toBe(conversation.id);
    });

    it('records sends finishing together, each on its own message', async () => {
      const store = get();
      const { conversation } = await seed(store);
      const a = await queued(store, conversation.id);
      const b = await queued(store, conversation.id, T0, {}, { channel: 'sms', destination: '+15550001' });
      const kept = await queued(store, conversation.id, T0, { providerId: 'OLD' });
      await store.claimOutbox(lease('A', T0));
      // Group-committed: one batch.
      await Promise.all([
        store.markSent(a.job.id, 'A1', 'sent', T0 + 5),
        store.markSent(b.job.id, 'B1', 'delivered', T0 + 6),
        store.markSent(kept.job.id, null, 'sent', T0 + 7),
      ]);
      expect(await store.countOutbox('sent')).toBe(3);
      expect(await store.countOutbox('pending')).toBe(0);
      const byId = new Map((await store.listMessages(conversation.id)).map((m) => [m.id, m]));
      expect(byId.get(a.msg.id)).toMatchObject({ providerId: 'A1', status: 'sent' });
      expect(byId.get(b.msg.id)).toMatchObject({ providerId: 'B1', status: 'delivered' });
      expect(byId.get(kept.msg.id)).toMatchObject({ providerId: 'OLD', status: 'sent' });
      // The channel it went out on, where a customer's answer quoting it is looked up.
      expect((await store.findConversationByProviderIds('sms', ['B1']))?.id).toBe(conversation.id);
      expect(await store.findConversationByProviderIds('sms', ['A1'])).toBeNull();
    });

    it('reschedules, counting an attempt only when asked', async () => {
      const store = get();
      const { conversation } = await seed(store);
      const { job } = await queued(store, conversation.id);
      await store.claimOutbox(lease('A', T0));
      await store.rescheduleOutbox(job.id, T0 + 1000, 'rate limited', false);
      expect(await store.claimOutbox(lease('B', T0 + 999))).toEqual([]);
      const [again] = await store.claimOutbox(lease('B', T0 + 1000));
      expect(again).toMatchObject({ id: job.id, attempts: 0, dueAt: T0 + 1000, lastError: 'rate limited' });
      await store.rescheduleOutbox(job.id, T0 + 2000, 'timeout', true);
      const [third] = await store.claimOutbox(lease('A', T0 + 2000));
      expect(third).toMatchObject({ attempts: 1, lastError: 'timeout' });
    });

    it('keeps the start of an unconfirmed send across claims until an outcome settles it', async () => {
      const store = get();
      const { conversation } = await seed(store);
      const { job } = await queued(store, conversation.id);
      expect(job.attemptedAt).toBeNull();
      await store.claimOutbox(lease('A', T0));
      await store.markAttempted(job.id, T0 + 10);
      await store.markAttempted(job.id, T0 + 20); // a later start keeps the first one's time
      // The process died here: the next claim (after the lease) sees the attempt.
      const [after] = await store.claimOutbox(lease('B', T0 + 30_000));
      expect(after).toMatchObject({ id: job.id, attemptedAt: T0 + 10 });
      // A retry that says nothing about the provider keeps it; an answer from the provider clears it.
      await store.rescheduleOutbox(job.id, T0 + 30_000, 'timeout', true);
      expect((await store.claimOutbox(lease('A', T0 + 30_000)))[0]?.attemptedAt).toBe(T0 + 10);
      await store.rescheduleOutbox(job.id, T0 + 30_000, 'refused', true, true);
      expect((await store.claimOutbox(lease('B', T0 + 60_000)))[0]?.attemptedAt).toBeNull();
      await store.markAttempted(job.id, T0 + 60_001);
      await store.deadLetter(job.id, 'gave up, uncertain', T0 + 60_002);
      await store.retryDeadLetter(job.id, T0 + 70_000);
      expect((await store.claimOutbox(lease('A', T0 + 70_000)))[0]?.attemptedAt).toBe(T0 + 60_001);
      await store.markSent(job.id, 'SM1', 'sent', T0 + 70_001);
      expect(await store.countOutbox('sent')).toBe(1);
    });

    it('lists the provider ids recorded for a conversation’s customer-visible replies', async () => {
      const store = get();
      const { conversation } = await seed(store);
      await store.insertMessage(message(conversation.id, { direction: 'inbound', providerId: 'IN1' }), T0);
      await store.insertMessage(message(conversation.id, { providerId: 'OUT1' }), T0 + 1);
      await store.insertMessage(message(conversation.id, { providerId: 'NOTE', visibility: 'internal' }), T0 + 2);
      const { job } = await queued(store, conversation.id);
      await store.markSent(job.id, 'OUT2', 'sent', T0 + 3);
      expect((await store.sentProviderIds(conversation.id)).sort()).toEqual(['OUT1', 'OUT2']);
    });

    it('dead-letters a job, lists it and puts it back on retry', async () => {
      const store = get();
      const { conversation } = await seed(store);
      const { msg, job } = await queued(store, conversation.id, T0, { text: 'the reply' });
      await store.claimOutbox(lease('A', T0));
      await store.deadLetter(job.id, 'number unreachable', T0 + 7);
      expect(await store.countOutbox('dead')).toBe(1);
      expect(await store.claimOutbox(lease('B', T0 + 60_000))).toEqual([]);
      const [dead] = await store.listDeadLetters();
      expect(dead).toMatchObject({ id: job.id, text: 'the reply', failedAt: T0 + 7, lastError: 'number unreachable' });
      expect((await store.listMessages(conversation.id))[0]).toMatchObject({ id: msg.id, status: 'failed' });

      expect(await store.retryDeadLetter(job.id, T0 + 100)).toBe(true);
      expect(await store.retryDeadLetter(job.id, T0 + 100)).toBe(false);
      expect(await store.retryDeadLetter('missing', T0)).toBe(false);
      expect(await store.listDeadLetters()).toEqual([]);
      const [retried] = await store.claimOutbox(lease('B', T0 + 100));
      expect(retried).toMatchObject({ id: job.id, dueAt: T0 + 100, attempts: 0 });
      expect((await store.listMessages(conversation.id))[0]).toMatchObject({ status: 'queued', error: null });
    });
  });
}
