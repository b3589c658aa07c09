import { sql } from 'kysely';
import { describe, expect, it } from 'vitest';
import type { Store } from '../../src/store/contract.ts';
import { backfillFacts } from '../../src/store/facts-backfill.ts';
import { newConversation } from '../support/records.ts';
import { message, seed, T0 } from './fixtures.ts';

const MIN = 60_000;
const DAY = 86_400_000;

/** Writes a short history: customer, bot, customer, agent, resolve, reopen, agent, resolve, CSAT. */
async function history(store: Store): Promise<string> {
  const { conversation, contactId } = await seed(store);
  const id = conversation.id;
  const customer = {
    direction: 'inbound' as const,
    author: { kind: 'contact' as const, id: contactId },
    status: 'received' as const,
  };
  await store.transaction(async (tx) => {
    await tx.insertMessage(message(id, customer), T0);
    await tx.insertMessage(message(id), T0 + 1_000);
    await tx.updateConversation(id, { sla: { firstResponseDue: T0 + 30 * MIN } }, T0 + 1_000);
  });
  await store.transaction(async (tx) => {
    await tx.updateConversation(id, { assignee: 'ann' }, T0 + 50 * MIN);
    await tx.insertMessage(message(id, { author: { kind: 'agent', id: 'ann' } }), T0 + 60 * MIN);
    await tx.insertMessage(
      message(id, { author: { kind: 'agent', id: 'ann' }, visibility: 'internal' }),
      T0 + 61 * MIN,
    );
    await tx.updateConversation(id, { status: 'resolved' }, T0 + 70 * MIN);
  });
  await store.transaction(async (tx) => {
    await tx.insertMessage(message(id, customer), T0 + DAY);
    await tx.updateConversation(id, { status: 'open' }, T0 + DAY);
    await tx.insertMessage(message(id, { author: { kind: 'agent', id: 'ann' } }), T0 + DAY + 5 * MIN);
    await tx.updateConversation(id, { status: 'resolved', assignee: 'bob' }, T0 + DAY + 10 * MIN);
    await tx.recordFact(id, 'csat', T0 + DAY + 20 * MIN, { score: 4, flow: 'csat', comment: 'quick' });
  });
  return id;
}

export function factsContract(get: () => Store): void {
  describe('facts', () => {
    it('writes each fact as the message or change it comes from is written', async () => {
      const store = get();
      const id = await history(store);
      const facts = await store.factsBetween(
        ['first_response', 'next_response', 'assigned', 'transferred', 'resolved', 'reopened', 'csat'],
        0,
        T0 + 2 * DAY,
      );
      const seen = facts
        .sort((a, b) => a.at - b.at || a.kind.localeCompare(b.kind))
        .map((f) => [
          f.kind,
          f.at - T0,
          f.startedAt === null ? null : f.startedAt - T0,
          f.actor,
          f.agent,
          f.breached,
          f.handleMs,
          f.score,
        ]);
      expect(seen).toEqual([
        ['first_response', 1_000, 0, 'bot', null, null, null, null],
        ['assigned', 50 * MIN, 0, null, 'ann', null, null, null],
        ['first_response', 60 * MIN, 0, 'agent', 'ann', true, 10 * MIN, null],
        ['resolved', 70 * MIN, 0, null, 'ann', null, 10 * MIN, null],
        ['reopened', DAY, 70 * MIN, null, 'ann', null, null, null],
        ['next_response', DAY + 5 * MIN, DAY, 'agent', 'ann', null, 5 * MIN, null],
        ['assigned', DAY + 10 * MIN, 0, null, 'bob', null, null, null],
        ['resolved', DAY + 10 * MIN, 0, null, 'bob', null, 5 * MIN, null],
        ['transferred', DAY + 10 * MIN, null, null, 'bob', null, null, null],
        ['csat', DAY + 20 * MIN, null, null, 'bob', null, null, 4],
      ]);
      expect(facts.find((f) => f.kind === 'csat')).toMatchObject({ comment: 'quick', flow: 'csat', channel: 'email' });
      const [summary] = await store.conversationFacts({ by: 'resolved', from: T0, to: T0 + 2 * DAY });
      expect(summary).toMatchObject({
        conversationId: id,
        status: 'resolved',
        firstResolvedAt: T0 + 70 * MIN,
        reopens: 1,
        reopenedSoon: true,
        transferred: true,
        escalated: false,
        breached: true,
        agent: 'bob',
      });
      expect(await store.conversationFacts({ by: 'backlog', from: 0, to: 0 })).toEqual([]);
    });

    it('reads back what its own transaction wrote: a conversation opened, answered and assigned in one', async () => {
      const store = get();
      const id = await store.transaction(async (tx) => {
        const contact = await tx.createContact({ name: 'Ann' }, { kind: 'email', value: 'one-tx@example.com' }, T0);
        const { id } = await tx.createConversation(newConversation(contact.id, 'email', 'one-tx', {}), T0);
        const customer = { direction: 'inbound' as const, author: { kind: 'contact' as const, id: contact.id } };
        await tx.insertMessage(message(id, { ...customer, status: 'received' }), T0 + 10);
        await tx.insertMessage(message(id), T0 + 50);
        await tx.updateConversation(id, { assignee: 'ann' }, T0 + 60);
        await tx.insertMessage(message(id, { author: { kind: 'agent', id: 'ann' } }), T0 + 90);
        return id;
      });
      const facts = await store.factsBetween(['first_response', 'assigned'], 0, T0 + DAY);
      expect(
        facts
          .filter((f) => f.conversationId === id)
          .sort((a, b) => a.at - b.at)
          .map((f) => [f.kind, f.at - T0, (f.startedAt ?? 0) - T0, f.actor, f.agent]),
      ).toEqual([
        ['first_response', 50, 10, 'bot', null],
        ['assigned', 60, 0, null, 'ann'],
        ['first_response', 90, 10, 'agent', 'ann'],
      ]);
    });

    it('backfills the responses from stored messages, as they were written live', async () => {
      const store = get();
      await history(store);
      const kinds = ['first_response', 'next_response'] as const;
      const strip = (rows: Awaited<ReturnType<Store['factsBetween']>>) =>
        rows
          .map(({ kind, at, startedAt, actor, agent }) => ({ kind, at, startedAt, actor, agent }))
          .sort((a, b) => a.at - b.at);
      const live = strip(await store.factsBetween([...kinds], 0, T0 + 2 * DAY));
      const db = (store as unknown as { db: Parameters<typeof backfillFacts>[0] }).db;
      await sql`delete from facts`.execute(db);
      await sql`delete from conversation_facts`.execute(db);
      await backfillFacts(db);
      expect(strip(await store.factsBetween([...kinds], 0, T0 + 2 * DAY))).toEqual(live);
      const [backlog] = await store.conversationFacts({ by: 'created', from: T0, to: T0 + 1 });
      expect(backlog).toMatchObject({ status: 'resolved', firstHumanAt: T0 + 60 * MIN, agent: 'bob' });
    });

    it('counts no broadcast message as a response, before or after the customer wrote', async () => {
      const store = get();
      const { conversation, contactId } = await seed(store);
      const id = conversation.id;
      const customer = {
        direction: 'inbound' as const,
        author: { kind: 'contact' as const, id: contactId },
        status: 'received' as const,
      };
      const broadcast = { author: { kind: 'bot' as const, id: 'broadcast:b1' } };
      await store.transaction(async (tx) => {
        // reaching out first: nothing preceded it, so it answers nothing
        await tx.insertMessage(message(id, broadcast), T0);
        await tx.insertMessage(message(id, customer), T0 + MIN);
        await tx.insertMessage(message(id, { author: { kind: 'agent', id: 'ann' } }), T0 + 3 * MIN);
        // a second broadcast to the same conversation, after the customer wrote: still no response
        await tx.insertMessage(message(id, broadcast), T0 + DAY);
        await tx.insertMessage(message(id, customer), T0 + DAY + MIN);
        await tx.insertMessage(message(id), T0 + DAY + 2 * MIN);
      });
      const responses = async () =>
        (await store.factsBetween(['first_response', 'next_response'], 0, T0 + 2 * DAY))
          .map((f) => [f.kind, f.actor, f.at - T0, f.startedAt === null ? null : f.startedAt - T0])
          .sort((a, b) => Number(a[2]) - Number(b[2]));
      const expected = [
        ['first_response', 'agent', 3 * MIN, MIN],
        ['first_response', 'bot', DAY + 2 * MIN, MIN],
      ];
      expect(await responses()).toEqual(expected);
      const db = (store as unknown as { db: Parameters<typeof backfillFacts>[0] }).db;
      await sql`delete from facts`.execute(db);
      await sql`delete from conversation_facts`.execute(db);
      await backfillFacts(db);
      expect(await responses()).toEqual(expected);
    });

    it('reports its queues, dead letters, late timers and size for /metrics', async () => {
      const store = get();
      const { conversation } = await seed(store);
      await store.transaction(async (tx) => {
        const m = await tx.insertMessage(message(conversation.id), T0);
        await tx.enqueueOutbound(
          { messageId: m.id, conversationId: conversation.id, channel: 'email', destination: 'x', dueAt: T0 },
          T0,
        );
        await tx.scheduleTimer({ kind: 'test', conversationId: conversation.id, dueAt: T0 + MIN, payload: {} }, T0);
      });
      const stats = await store.operationalStats(T0 + 5 * MIN);
      expect(stats).toMatchObject({
        outboxPending: 1,
        outboxOldestDueAt: T0,
        deadLetters: 0,
        timersPending: 1,
        timerOldestOverdueAt: T0 + MIN,
      });
      expect(stats.sizeBytes).toBeGreaterThan(0);
    });
  });
}
