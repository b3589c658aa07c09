import { afterEach, beforeEach, describe, expect, it } from 'vitest';
import type { DecisionContext } from '../../src/decide/context.ts';
import {
  loadForDecision,
  newDecision,
  reachableConversations,
  writeDecision,
} from '../../src/decide/write-decision.ts';
import type { Contact, Conversation } from '../../src/model/types.ts';
import { createOutbound } from '../../src/outbound/outbound.ts';
import type { Store } from '../../src/store/contract.ts';
import { newConversation } from '../../src/store/new-conversation.ts';
import { T0, tempStore } from '../outbox/fixture.ts';
import { testSettings } from '../support/settings.ts';

/** writeDecision over a real store: every part of a decision is written, in one transaction. */
let store: Store;
let cleanup: () => Promise<void>;
const outbound = createOutbound({ destinationOf: (_c, threadKey) => threadKey });

beforeEach(async () => {
  ({ store, cleanup } = await tempStore('decision'));
});
afterEach(() => cleanup());

async function opened(
  visibility: 'public' | 'private' = 'private',
  status: Conversation['status'] = 'open',
  contactId?: string,
): Promise<{ contact: Contact; conversation: Conversation }> {
  return store.transaction(async (tx) => {
    const contact = contactId
      ? ((await tx.getContact(contactId)) as Contact)
      : await tx.createContact({ name: 'Ann' }, { kind: 'phone', value: '+15550100' }, T0);
    const touchpoint = { channel: 'chat', kind: 'chat', visibility } as const;
    const conversation = await tx.createConversation(
      newConversation(contact.id, touchpoint, `thread-${Math.random()}`, { status }),
      T0,
    );
    return { contact, conversation };
  });
}

const write = (ctx: DecisionContext) => store.transaction((tx) => writeDecision(tx, ctx, { outbound }));

describe('writing a decision', () => {
  it('writes the conversation and contact changes, the replies in order under the business name, and the timers', async () => {
    const { contact, conversation } = await opened();
    const ctx = newDecision(testSettings(), T0 + 5, conversation, contact);
    ctx.patch = { status: 'pending', tags: ['vip'] };
    ctx.contactPatch = { language: 'fr' };
    ctx.replies.push(
      { text: 'First', author: 'bot' },
      { text: 'Second', author: 'system', subject: 'Re: order', parts: [{ type: 'choices', options: ['A'] }] },
    );
    ctx.timers.push({ kind: 'flow.wait', dueAt: T0 + 60_000, key: 'wait-1' });
    const written = await write(ctx);

    expect(written.conversation).toMatchObject({ id: conversation.id, status: 'pending', tags: ['vip'] });
    expect(await store.getConversation(conversation.id)).toMatchObject({ status: 'pending', tags: ['vip'] });
    expect((await store.getContact(contact.id))?.language).toBe('fr');
    expect(written.messages.map((m) => [m.text, m.author, m.status])).toEqual([
      ['First', { kind: 'bot', name: 'Test Shop' }, 'queued'],
      ['Second', { kind: 'system', name: 'Test Shop' }, 'queued'],
    ]);
    expect(written.messages[1]?.parts).toEqual([
      { type: 'subject', text: 'Re: order' },
      { type: 'choices', options: ['A'] },
    ]);
    expect((await store.listMessages(conversation.id)).map((m) => m.text)).toEqual(['First', 'Second']);
    const timers = await store.claimTimers({ owner: 't', now: T0 + 60_000, leaseMs: 1_000, limit: 10 });
    expect(timers).toMatchObject([{ kind: 'flow.wait', conversationId: conversation.id, key: 'wait-1' }]);
  });

  it('hands the outbound chain the contact as changed: an opt-out decided now stops the reply', async () => {
    const { contact, conversation } = await opened();
    const ctx = newDecision(testSettings(), T0, conversation, contact);
    ctx.contactPatch = { optOuts: ['chat'] };
    ctx.replies.push({ text: 'Bye', author: 'bot' });
    const written = await write(ctx);
    expect(written.messages.map((m) => m.status)).toEqual(['failed']);
  });

  it('cancels timer keys before scheduling, so a key can be cancelled and set again in one decision', async () => {
    const { contact, conversation } = await opened();
    const first = newDecision(testSettings(), T0, conversation, contact);
    first.timers.push({ kind: 'sla.first_response', dueAt: T0 + 1_000, key: 'sla-1' });
    first.timers.push({ kind: 'snooze', dueAt: T0 + 1_000, key: 'snooze-1' });
    await write(first);
    const second = newDecision(testSettings(), T0, conversation, contact);
    second.cancelTimers.push('sla-1', 'snooze-1');
    second.timers.push({ kind: 'sla.first_response', dueAt: T0 + 5_000, key: 'sla-1' });
    await write(second);
    const due = await store.claimTimers({ owner: 't', now: T0 + 10_000, leaseMs: 1_000, limit: 10 });
    expect(due.map((t) => [t.key, t.dueAt])).toEqual([['sla-1', T0 + 5_000]]);
  });

  it('records a CSAT answer as a fact, and ignores one without a numeric score', async () => {
    const { contact, conversation } = await opened();
    const ctx = newDecision(testSettings(), T0, conversation, contact);
    ctx.events.push(
      { type: 'csat', data: { score: 4, comment: 'quick', flow: 'survey' } },
      { type: 'csat', data: { score: '5' } },
      { type: 'handoff', data: { score: 3 } },
    );
    const written = await write(ctx);
    expect(written.events).toHaveLength(3);
    const facts = await store.factsBetween(['csat'], T0, T0 + 1);
    expect(facts.map((f) => [f.score, f.comment, f.flow])).toEqual([[4, 'quick', 'survey']]);
  });

  it('writes nothing to the store when the decision changes nothing', async () => {
    const { contact, conversation } = await opened();
    const before = await store.getConversation(conversation.id);
    const written = await write(newDecision(testSettings(), T0 + 9_000, conversation, contact));
    expect(written.messages).toEqual([]);
    expect(await store.getConversation(conversation.id)).toEqual(before);
  });

  it('loads a conversation with its contact, and nothing for an unknown id', async () => {
    const { contact, conversation } = await opened();
    const loaded = await store.transaction((tx) => loadForDecision(tx, conversation.id));
    expect(loaded?.conversation.id).toBe(conversation.id);
    expect(loaded?.contact.id).toBe(contact.id);
    expect(await store.transaction((tx) => loadForDecision(tx, 'no-such-conversation'))).toBeNull();
  });

  it('reaches a contact only on private conversations that are not closed', async () => {
    const { contact, conversation: open } = await opened();
    const { conversation: resolved } = await opened('private', 'resolved', contact.id);
    await opened('public', 'open', contact.id);
    await opened('private', 'closed', contact.id);
    const reachable = await store.transaction((tx) => reachableConversations(tx, contact.id));
    expect(reachable.map((c) => c.id).sort()).toEqual([open.id, resolved.id].sort());
  });
});
