import { afterEach, beforeEach, describe, expect, it } from 'vitest';
import type { Contact, Conversation } from '../../src/model/types.ts';
import { createOutbound, type DestinationOf } from '../../src/outbound/outbound.ts';
import { DIVERT_TIMER } from '../../src/outbound/public-guard.ts';
import type { Store } from '../../src/store/contract.ts';
import { newConversation } from '../../src/store/new-conversation.ts';
import { T0, tempStore } from '../outbox/fixture.ts';

/**
 * The outbound chain over a real store: what every outgoing message becomes
 * (its stored status and visibility), whether it is queued, where to, and
 * what is diverted from a public touchpoint.
 */
let store: Store;
let cleanup: () => Promise<void>;

beforeEach(async () => {
  ({ store, cleanup } = await tempStore('outbound'));
});
afterEach(() => cleanup());

const sameThread: DestinationOf = (_channel, threadKey) => `to:${threadKey}`;

async function setUp(visibility: 'public' | 'private', optOuts: string[] = []) {
  return store.transaction(async (tx) => {
    const created = await tx.createContact({ name: 'Ann' }, { kind: 'phone', value: '+15550100' }, T0);
    if (optOuts.length > 0) await tx.updateContact(created.id, { optOuts });
    const contact = { ...created, optOuts } as Contact;
    const touchpoint = { channel: 'chat', kind: 'chat', visibility } as const;
    const conversation = await tx.createConversation(
      newConversation(contact.id, touchpoint, 'thread-1', { replyRef: { ts: '1.2' } }),
      T0,
    );
    return { contact, conversation };
  });
}

async function outboxRows(): Promise<Array<{ channel: string; destination: string; messageId: string }>> {
  return store.claimOutbox({ owner: 'test', now: T0 + 1, leaseMs: 60_000, limit: 10 });
}

async function send(
  conversation: Conversation,
  contact: Contact,
  input: { text: string; internal?: boolean; subject?: string; parts?: unknown[] },
  destinationOf: DestinationOf = sameThread,
  guard?: { inspect(text: string): string | null },
) {
  const outbound = createOutbound({ destinationOf, guard });
  return store.transaction((tx) => outbound.send(tx, { conversation, contact, author: { kind: 'bot' }, ...input }, T0));
}

describe('the outbound chain', () => {
  it('queues a reply to the destination the channel names, with the conversation’s reply reference', async () => {
    const { contact, conversation } = await setUp('private');
    const message = await send(conversation, contact, { text: 'Your order is ready' });
    expect(message).toMatchObject({
      direction: 'outbound',
      status: 'queued',
      visibility: 'customer',
      text: 'Your order is ready',
      replyRef: { ts: '1.2' },
      author: { kind: 'bot' },
    });
    expect(message.error ?? null).toBeNull();
    expect(message.attachments).toEqual([]);
    expect(await outboxRows()).toMatchObject([{ channel: 'chat', destination: 'to:thread-1', messageId: message.id }]);
  });

  it('queues on another channel when the channel replies elsewhere, and on the thread when it names none', async () => {
    const { contact, conversation } = await setUp('private');
    const elsewhere = await send(conversation, contact, { text: 'a' }, () => ({
      channel: 'sms',
      destination: '+15550100',
    }));
    const bare = await send(conversation, contact, { text: 'b' }, () => null);
    const rows = await outboxRows();
    expect(rows.map((r) => [r.messageId, r.channel, r.destination])).toEqual([
      [elsewhere.id, 'sms', '+15550100'],
      [bare.id, 'chat', 'thread-1'],
    ]);
  });

  it('stores an internal note as sent and internal, and never queues it', async () => {
    const { contact, conversation } = await setUp('public');
    const note = await send(conversation, contact, { text: 'call her at +1 555 0100', internal: true });
    expect(note).toMatchObject({ status: 'sent', visibility: 'internal' });
    expect(await outboxRows()).toEqual([]);
    expect(await store.claimTimers({ owner: 't', now: T0, leaseMs: 1_000, limit: 10 })).toEqual([]);
  });

  it('keeps personal data off a public touchpoint: stored failed and internal, delivered privately instead', async () => {
    const { contact, conversation } = await setUp('public');
    const refused = await send(
      conversation,
      contact,
      { text: 'Your code is 4921, email ann@example.com' },
      sameThread,
      {
        inspect: (text) => (text.includes('@') ? 'an email address' : null),
      },
    );
    expect(refused).toMatchObject({
      status: 'failed',
      visibility: 'internal',
      error: 'refused on a public touchpoint: an email address',
    });
    expect(await outboxRows()).toEqual([]);
    const timers = await store.claimTimers({ owner: 't', now: T0, leaseMs: 1_000, limit: 10 });
    expect(timers).toMatchObject([
      {
        kind: DIVERT_TIMER,
        conversationId: conversation.id,
        dueAt: T0,
        payload: {
          messageId: refused.id,
          text: 'Your code is 4921, email ann@example.com',
          author: { kind: 'bot' },
          reason: 'an email address',
        },
      },
    ]);
    // Text the guard passes is posted in public as usual.
    const fine = await send(conversation, contact, { text: 'Thanks for the kind words!' }, sameThread, {
      inspect: () => null,
    });
    expect(fine).toMatchObject({ status: 'queued', visibility: 'customer' });
  });

  it('guards public touchpoints with the built-in detectors when none is configured, and not private ones', async () => {
    const pub = await setUp('public');
    const refused = await send(pub.conversation, pub.contact, { text: 'Call me on +44 20 7946 0958' });
    expect(refused).toMatchObject({ status: 'failed', visibility: 'internal' });
    expect(refused.error).toMatch(/^refused on a public touchpoint: contains /);
    await cleanup();
    ({ store, cleanup } = await tempStore('outbound'));
    const priv = await setUp('private');
    const sent = await send(priv.conversation, priv.contact, { text: 'Call me on +44 20 7946 0958' });
    expect(sent).toMatchObject({ status: 'queued', visibility: 'customer' });
  });

  it('sends nothing to a contact who opted out of the channel, or of everything', async () => {
    for (const optOuts of [['chat'], ['*']]) {
      await cleanup();
      ({ store, cleanup } = await tempStore('outbound'));
      const { contact, conversation } = await setUp('private', optOuts);
      const message = await send(conversation, contact, { text: 'hello' });
      expect(message).toMatchObject({ status: 'failed', visibility: 'customer', error: 'contact opted out of chat' });
      expect(await outboxRows()).toEqual([]);
    }
    await cleanup();
    ({ store, cleanup } = await tempStore('outbound'));
    const other = await setUp('private', ['sms']);
    expect(await send(other.conversation, other.contact, { text: 'hello' })).toMatchObject({ status: 'queued' });
  });

  it('marks marketing templates, and sends them to no one who unsubscribed from marketing; answers still go', async () => {
    const { contact, conversation } = await setUp('private', ['chat:marketing']);
    const outbound = createOutbound({ destinationOf: sameThread, isMarketing: (id) => id === 'offer' });
    const sendAs = (templateId: string) =>
      store.transaction((tx) =>
        outbound.send(tx, { conversation, contact, author: { kind: 'bot' }, text: 'x', templateId }, T0),
      );
    expect(await sendAs('offer')).toMatchObject({
      status: 'failed',
      error: 'contact unsubscribed from marketing on chat',
    });
    const answer = await sendAs('pricing');
    expect(answer).toMatchObject({ status: 'queued' });
    expect(answer.parts ?? null).toBeNull();
    await cleanup();
    ({ store, cleanup } = await tempStore('outbound'));
    const subscribed = await setUp('private');
    const offer = await store.transaction((tx) =>
      outbound.send(
        tx,
        { ...subscribed, author: { kind: 'bot' }, text: 'Half price', subject: 'Today', templateId: 'offer' },
        T0,
      ),
    );
    expect(offer).toMatchObject({
      status: 'queued',
      parts: [{ type: 'subject', text: 'Today' }, { type: 'marketing' }],
    });
  });

  it('keeps a subject and rich parts with the message, subject first', async () => {
    const { contact, conversation } = await setUp('private');
    const choices = { type: 'choices', options: ['Yes', 'No'] };
    const withBoth = await send(conversation, contact, { text: 'Book?', subject: 'Your booking', parts: [choices] });
    expect(withBoth.parts).toEqual([{ type: 'subject', text: 'Your booking' }, choices]);
    const plain = await send(conversation, contact, { text: 'ok' });
    expect(plain.parts ?? null).toBeNull();
  });

  it('diverts each refused public message on its own: two in a row both reach the customer privately', async () => {
    const { contact, conversation } = await setUp('public');
    const guard = { inspect: () => 'a phone number' };
    const first = await send(conversation, contact, { text: 'Call +1 555 0100' }, sameThread, guard);
    const second = await send(conversation, contact, { text: 'Or +1 555 0101' }, sameThread, guard);
    const timers = await store.claimTimers({ owner: 't', now: T0, leaseMs: 1_000, limit: 10 });
    expect(timers.map((t) => t.payload.messageId).sort()).toEqual([first.id, second.id].sort());
  });
});
