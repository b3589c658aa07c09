import { afterEach, beforeEach, describe, expect, it } from 'vitest';
import { VirtualClock } from '../../src/clock.ts';
import { silentLogger } from '../../src/log.ts';
import { OUT_EVENT_TYPES, type OutEventType } from '../../src/model/out-events.ts';
import type { Conversation } from '../../src/model/types.ts';
import { createBackoff } from '../../src/retry/backoff.ts';
import type { Store } from '../../src/store/contract.ts';
import { openStore } from '../../src/store/open.ts';
import { createWebhookSender, type WebhookSenderOptions } from '../../src/webhooks/sender.ts';
import { verifySignature } from '../../src/webhooks/signature.ts';
import { webhookRouting } from '../../src/webhooks/subscriptions.ts';
import { conversationOn, T0, tempStore } from '../outbox/fixture.ts';
import { dropSchema, freshSchema, withSchema } from '../support/pg-schema.ts';
import { type Receiver, startReceiver } from './receiver.ts';

const SECRET = 'a-receiver-secret-of-32-characters';
const databaseUrl = process.env.DATABASE_URL;

/** Backoff with a fixed jitter of one half: retry n waits exactly 5 s · 2^(n−1). */
const halfJitter = createBackoff({ baseMs: 10_000, maxMs: 600_000, random: () => 0.5 });

const orderKeyOf = (body: Record<string, unknown>): string => {
  const data = body.data as Record<string, Record<string, unknown> | string>;
  const of = (v: unknown) => (v && typeof v === 'object' ? (v as Record<string, unknown>) : null);
  return String(
    of(data.conversation)?.id ?? of(data.message)?.conversationId ?? data.conversationId ?? of(data)?.id ?? '',
  );
};

interface Opened {
  store: Store;
  close(): Promise<void>;
}

const stores: Array<[string, () => Promise<Opened>]> = [
  [
    'sqlite',
    async () => {
      const t = await tempStore('webhooks');
      return { store: t.store, close: t.cleanup };
    },
  ],
];
if (databaseUrl) {
  stores.push([
    'postgres',
    async () => {
      const schema = freshSchema('tp_hooks');
      const store = await openStore({
        databaseUrl: withSchema(databaseUrl, schema),
        dataDir: '/nonexistent',
        log: silentLogger,
      });
      return {
        store,
        async close() {
          await store.close();
          await dropSchema(databaseUrl, schema);
        },
      };
    },
  ]);
}

describe.each(stores)('webhooks out (%s)', (_kind, open) => {
  let clock: VirtualClock;
  let opened: Opened;
  let store: Store;
  let receiver: Receiver;
  let events: OutEventType[];

  beforeEach(async () => {
    clock = new VirtualClock(T0);
    opened = await open();
    store = opened.store;
    receiver = await startReceiver(SECRET, orderKeyOf);
    events = [...OUT_EVENT_TYPES];
    const routing = webhookRouting(
      () => ({
        subscriptions: { crm: { url: receiver.url, secret: SECRET, events } },
        timeout: '10s',
        maxAttempts: 4,
        backoffBase: '10s',
        backoffMax: '10m',
        concurrency: 8,
      }),
      clock,
    );
    store.outEvents.routing = routing;
  });

  afterEach(async () => {
    await receiver.close();
    await opened.close();
  });

  function sender(over: Partial<WebhookSenderOptions> = {}) {
    return createWebhookSender({
      store,
      clock,
      log: silentLogger,
      owner: 'test:webhooks',
      leaseMs: 60_000,
      timeoutMs: 2_000,
      maxAttempts: 4,
      backoff: halfJitter,
      concurrency: 8,
      receiver: (name) => (name === 'crm' ? { url: receiver.url, secret: SECRET } : null),
      ...over,
    });
  }

  /** One conversation's life: opened, a message each way, assigned, CSAT, resolved; and its contact renamed. */
  async function lifeOf(threadKey: string): Promise<Conversation> {
    const conversation = await conversationOn(store, 'sms', threadKey);
    await store.transaction(async (tx) => {
      const now = clock.now();
      const m = { conversationId: conversation.id, attachments: [], providerId: null, visibility: 'customer' as const };
      await tx.insertMessage(
        { ...m, direction: 'inbound', author: { kind: 'contact' }, text: 'Where is my order?', status: 'received' },
        now,
      );
      await tx.insertMessage(
        { ...m, direction: 'outbound', author: { kind: 'agent', name: 'Ada' }, text: 'On its way', status: 'queued' },
        now,
      );
      await tx.updateConversation(conversation.id, { assignee: 'ada' }, now);
      await tx.recordFact(conversation.id, 'csat', now, { score: 5, comment: null, flow: 'csat' });
      await tx.updateConversation(conversation.id, { status: 'resolved' }, now);
      await tx.updateContact(conversation.contactId, { name: 'Ann Lee' });
    });
    return conversation;
  }

  it('writes each subscribed event in the transaction of its change, and none for a rolled-back one', async () => {
    const conversation = await lifeOf('t-1');
    const sent = sender();
    await sent.drain();
    const ofConversation = receiver.accepted.filter((r) => r.orderKey === conversation.id);
    expect(ofConversation.map((r) => r.type)).toEqual([
      'conversation.created',
      'message.created',
      'message.created',
      'conversation.assigned',
      'csat.received',
      'conversation.resolved',
    ]);
    expect(ofConversation[3]?.body.data).toMatchObject({ assignee: 'ada', previousAssignee: null });
    expect(ofConversation[4]?.body.data).toMatchObject({ conversationId: conversation.id, score: 5 });
    // The contact's events are ordered by contact.
    const ofContact = receiver.accepted.filter((r) => r.orderKey === conversation.contactId);
    expect(ofContact.map((r) => [r.type, r.body.data])).toEqual([
      ['contact.updated', { id: conversation.contactId, changed: { name: 'Ann Lee' } }],
    ]);

    await expect(
      store.transaction(async (tx) => {
        await tx.updateConversation(conversation.id, { status: 'open' }, clock.now());
        await tx.updateConversation(conversation.id, { status: 'resolved' }, clock.now());
        throw new Error('rolled back');
      }),
    ).rejects.toThrow('rolled back');
    // Assigning the same agent again is no assignment; a message to no subscriber writes nothing.
    events = ['conversation.resolved'];
    await store.transaction((tx) => tx.updateConversation(conversation.id, { assignee: 'ada' }, clock.now()));
    await sent.drain();
    expect(receiver.accepted).toHaveLength(7);
    expect(await store.webhooks.count('pending')).toBe(0);
  });

  it('signs every delivery so the receiver verifies it, and a forged or stale one fails verification', async () => {
    await lifeOf('t-sig');
    await sender().drain();
    expect(receiver.received.length).toBeGreaterThan(0);
    expect(receiver.received.every((r) => r.verified)).toBe(true);
    const body = JSON.stringify(receiver.received[0]?.body);
    const t = Math.floor(Date.now() / 1000);
    const { signatureHeader } = await import('../../src/webhooks/signature.ts');
    expect(verifySignature(SECRET, signatureHeader(SECRET, t, body), body, t)).toBe(true);
    expect(verifySignature(SECRET, signatureHeader('another-secret-of-enough-length', t, body), body, t)).toBe(false);
    expect(verifySignature(SECRET, signatureHeader(SECRET, t, body), `${body} `, t)).toBe(false);
    expect(verifySignature(SECRET, signatureHeader(SECRET, t - 301, body), body, t)).toBe(false);
  });

  it('retries 500s and timeouts with backoff and delivers each event once', async () => {
    events = ['conversation.created'];
    await conversationOn(store, 'sms', 't-retry');
    const s = sender({ timeoutMs: 300 });
    receiver.script = [500, 'hang', 503];
    await s.drain();
    const [row] = await pending();
    // First retry: 5 s (one half of 10 s), then 10 s, then 20 s.
    expect(row?.dueAt).toBe(T0 + 5_000);
    expect(row?.lastError).toBe('the receiver answered 500');
    clock.advance(5_000);
    await s.drain();
    expect((await pending())[0]?.dueAt).toBe(T0 + 5_000 + 10_000);
    expect((await pending())[0]?.lastError).toMatch(/no answer within 300 ms/);
    clock.advance(10_000);
    await s.drain();
    expect((await pending())[0]?.dueAt).toBe(T0 + 15_000 + 20_000);
    clock.advance(20_000);
    await s.drain();
    expect(receiver.received.map((r) => r.answered)).toEqual([500, 'hang', 503, 200]);
    expect(receiver.accepted).toHaveLength(1);
    expect(new Set(receiver.received.map((r) => r.eventId)).size).toBe(1);
    expect(await store.webhooks.count('sent')).toBe(1);
    expect(await store.webhooks.count('pending')).toBe(0);
  });

  it('keeps the order per conversation while one event is retried, and does not hold other conversations', async () => {
    events = ['conversation.created', 'message.created', 'conversation.resolved'];
    const a = await lifeOf('t-a');
    const b = await lifeOf('t-b');
    // A's first event fails twice; its later events wait behind it, B's go.
    let failures = 2;
    receiver.answerFor = (_id, body) => {
      const data = body.data as { conversation?: { id: string } };
      if (body.type === 'conversation.created' && data.conversation?.id === a.id && failures > 0) {
        failures--;
        return 500;
      }
      return undefined;
    };
    const s = sender();
    await s.drain();
    expect(receiver.accepted.filter((r) => r.orderKey === a.id)).toHaveLength(0);
    expect(receiver.accepted.filter((r) => r.orderKey === b.id).map((r) => r.type)).toEqual([
      'conversation.created',
      'message.created',
      'message.created',
      'conversation.resolved',
    ]);
    for (let i = 0; i < 4; i++) {
      clock.advance(60_000);
      await s.drain();
    }
    const ofA = receiver.received.filter((r) => r.orderKey === a.id);
    expect(ofA.map((r) => [r.type, r.answered])).toEqual([
      ['conversation.created', 500],
      ['conversation.created', 500],
      ['conversation.created', 200],
      ['message.created', 200],
      ['message.created', 200],
      ['conversation.resolved', 200],
    ]);
    expect(receiver.accepted).toHaveLength(8);
  });

  it('dead-letters a delivery after its attempts, lists it with the others, and a retry delivers it', async () => {
    events = ['conversation.created'];
    await conversationOn(store, 'sms', 't-dead');
    receiver.script = [500, 500, 500, 500];
    const s = sender();
    for (let i = 0; i < 4; i++) {
      await s.drain();
      clock.advance(600_000);
    }
    const dead = await store.webhooks.listDead();
    expect(dead).toHaveLength(1);
    expect(dead[0]).toMatchObject({ subscription: 'crm', eventType: 'conversation.created', attempts: 4 });
    const letters = await store.listDeadLetters();
    expect(letters.map((l) => [l.channel, l.destination])).toEqual([['webhook', 'crm']]);
    expect(await store.retryDeadLetter(dead[0]?.id as string, clock.now())).toBe(true);
    await s.drain();
    expect(receiver.accepted).toHaveLength(1);
  });

  function pending() {
    return store.webhooks.listPending();
  }
});
