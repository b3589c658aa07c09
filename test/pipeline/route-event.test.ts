import { afterEach, beforeEach, describe, expect, it } from 'vitest';
import {
  conversationsWithMessages,
  envelope,
  mail,
  type Pipeline,
  sendFirstReplyAs,
  startPipeline,
} from './harness.ts';

/** What routing stores for one inbound message: its conversation, the message itself, what it reports. */
let p: Pipeline;

beforeEach(async () => {
  p = await startPipeline(true);
});
afterEach(() => p.teardown());

async function route(...envelopes: Parameters<typeof envelope>[0][]) {
  for (const e of envelopes) await p.ingestor.ingest(envelope(e));
  await p.router.drain();
}

describe('routing one inbound message', () => {
  it('opens a new conversation when inReplyTo names one that is closed', async () => {
    await p.ingestor.ingest(mail('a@x.test', { providerId: 'm1', threadKey: 'email:a', text: 'price?' }));
    await sendFirstReplyAs(p, '<ours@shop.test>');
    const [first] = await p.store.listConversations({});
    await p.store.updateConversation(first!.id, { status: 'closed' }, p.clock.now());
    await p.ingestor.ingest(
      mail('a@x.test', {
        providerId: 'm2',
        threadKey: 'email:other',
        inReplyTo: ['<ours@shop.test>'],
        text: 'hi again',
      }),
    );
    await p.router.drain();
    const all = await conversationsWithMessages(p.store);
    expect(all).toHaveLength(2);
    const reopened = all.find((x) => x.c.id !== first!.id);
    expect(reopened?.messages[0]?.text).toBe('hi again');
    expect(all.find((x) => x.c.id === first!.id)?.c.status).toBe('closed');
  });

  it('stores the sender’s name as given, else the contact’s, with the attachments and provider id', async () => {
    const photo = { contentType: 'image/jpeg', url: 'https://media.example.test/p1', name: 'cake.jpg', size: 1234 };
    await route(
      { providerId: 'n1', from: { kind: 'webchat', value: 'v1', name: 'Ada' }, text: 'hello' },
      { providerId: 'n2', from: { kind: 'webchat', value: 'v1' }, text: 'see this', attachments: [photo] },
      { providerId: 'n3', from: { kind: 'webchat', value: 'v1', name: 'Ada L.' }, text: 'and this' },
    );
    const [one] = await conversationsWithMessages(p.store);
    const inbound = one!.messages.filter((m) => m.direction === 'inbound');
    expect(inbound.map((m) => [m.providerId, m.author.kind, m.author.name, m.status])).toEqual([
      ['n1', 'contact', 'Ada', 'received'],
      ['n2', 'contact', 'Ada', 'received'],
      ['n3', 'contact', 'Ada L.', 'received'],
    ]);
    expect(inbound[1]?.attachments).toEqual([photo]);
    expect(inbound[0]?.attachments).toEqual([]);
    expect(inbound[0]?.author.id).toBe(one!.c.contactId);
  });

  it('keeps the reply reference of the latest message that brought one on the conversation', async () => {
    await route({ providerId: 'r1', text: 'hello', replyRef: { serviceUrl: 'https://a.test/' } });
    let [one] = await p.store.listConversations({});
    expect(one?.replyRef).toEqual({ serviceUrl: 'https://a.test/' });
    await route({ providerId: 'r2', text: 'hello again', replyRef: { serviceUrl: 'https://b.test/' } });
    [one] = await p.store.listConversations({});
    expect(one?.replyRef).toEqual({ serviceUrl: 'https://b.test/' });
  });

  it('gives a VIP’s new conversation high priority, and another contact’s normal', async () => {
    await route({ providerId: 'v1', threadKey: 'webchat:vip', from: { kind: 'webchat', value: 'vip' }, text: 'hi' });
    const [first] = await p.store.listConversations({});
    await p.store.updateContact(first!.contactId, { vip: true });
    await p.store.updateConversation(first!.id, { status: 'closed' }, p.clock.now());
    await route(
      { providerId: 'v2', threadKey: 'webchat:vip-2', from: { kind: 'webchat', value: 'vip' }, text: 'hi' },
      { providerId: 'o1', threadKey: 'webchat:other', from: { kind: 'webchat', value: 'other' }, text: 'hi' },
    );
    const byThread = new Map((await p.store.listConversations({})).map((c) => [c.threadKey, c.priority]));
    expect(byThread.get('webchat:vip-2')).toBe('high');
    expect(byThread.get('webchat:other')).toBe('normal');
  });

  it('writes a bounce as an internal system note under the reporter’s name', async () => {
    await p.ingestor.ingest(mail('x@example.test', { providerId: 'b1', threadKey: 'email:x', text: 'price?' }));
    await sendFirstReplyAs(p, '<reply1@shop.test>');
    await p.ingestor.ingest(
      mail('mailer-daemon@mx.example.test', {
        providerId: 'dsn1',
        threadKey: 'email:mailer-daemon',
        from: { kind: 'email', value: 'mailer-daemon@mx.example.test', name: 'Mail Delivery System' },
        text: 'user unknown',
        flags: { bounce: true },
        bounceOf: '<reply1@shop.test>',
      }),
    );
    await p.router.drain();
    const [one] = await conversationsWithMessages(p.store);
    const note = one!.messages.find((m) => m.providerId === 'dsn1');
    expect(note).toMatchObject({
      direction: 'inbound',
      author: { kind: 'system', name: 'Mail Delivery System' },
      status: 'received',
      visibility: 'internal',
      text: 'Delivery failed: user unknown',
    });
    expect(p.routed.at(-1)).toMatchObject({ conversationId: one!.c.id, queued: 0, messages: [] });
  });

  it('counts as queued only the replies that will be sent, not one recorded as failed', async () => {
    const thread = 'email:x@example.test';
    await p.ingestor.ingest(mail('x@example.test', { providerId: 'q1', threadKey: thread, text: 'price?' }));
    await p.router.drain();
    expect(p.routed.at(-1)?.queued).toBe(1);
    await p.store.suppress('email', 'x@example.test', { reason: 'hard bounce', at: p.clock.now() });
    await p.ingestor.ingest(mail('x@example.test', { providerId: 'q2', threadKey: thread, text: 'price?' }));
    await p.router.drain();
    const last = p.routed.at(-1);
    expect(last?.messages.map((m) => [m.direction, m.status])).toEqual([
      ['inbound', 'received'],
      ['outbound', 'failed'],
    ]);
    expect(last?.queued).toBe(0);
  });
});
